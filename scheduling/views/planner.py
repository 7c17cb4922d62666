"""The course planner: wishes -> proposal (saves nothing) -> edited sessions -> booked course."""

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import render

from clinic.access import role_required
from clinic.api import id_param
from clinic.errors import ConflictError
from clinic.forms import add_service_errors
from patients.selectors import patients_for

from .. import services
from ..forms import PlannerForm, SessionFormSet, site_input_value
from ..selectors.visits import course_blockers
from .common import BOOKERS, CONFLICT, posted, to_courses_tab

INFUSION_NUMBER = re.compile(r"^Infusion (\d+) ")


def _proposal_rows(location, proposal) -> list[dict]:
    return [
        {
            "starts_at": site_input_value(location, session.starts_at),
            "chair": session.chair.pk,
            "nurse": session.nurse.pk,
            "note": session.note,
        }
        for session in proposal.sessions
    ]


def _errors_onto_rows(rows, errors: dict) -> dict:
    """course_book numbers sessions in time order ("Infusion 3 (...): ..."): put each message
    on that row's field too, so the front desk sees which row to change. All messages stay
    in the summary at the top as well."""
    ordered = sorted(rows.forms, key=lambda row: row.cleaned_data["starts_at"])
    for field, texts in errors.items():
        for message in [texts] if isinstance(texts, str) else texts:
            found = INFUSION_NUMBER.match(message)
            number = int(found.group(1)) if found else 0
            if 1 <= number <= len(ordered) and field in ordered[number - 1].fields:
                ordered[number - 1].add_error(field, message)
    return errors


def _book(request, form, rows):
    """Book every row in one transaction. Returns (course, status)."""
    data = form.cleaned_data
    sessions = [
        services.SessionRequest(row["starts_at"], row["chair"], row["nurse"])
        for row in rows.cleaned_data
    ]
    try:
        course = services.course_book(
            patient=data["patient"], protocol=data["protocol"], location=data["location"],
            sessions=sessions, booked_by=request.user,
            planned_infusions=data["planned_infusions"],
        )  # fmt: skip
    except ConflictError as conflict:
        add_service_errors(form, _errors_onto_rows(rows, conflict.errors))
        return None, CONFLICT
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
        add_service_errors(form, _errors_onto_rows(rows, errors))
        return None, 200
    return course, 200


@role_required(*BOOKERS)
def planner(request):
    """GET: the wishes. POST action=propose: a proposal to edit. POST action=book: book it."""
    data = posted(request)
    initial = {"patient": request.GET.get("patient")} if request.GET.get("patient") else None
    form = PlannerForm(data, user=request.user, initial=initial)
    rows, proposal, status = None, None, 200
    action = data.get("action") if data else None
    if data is not None and form.is_valid():
        location = form.cleaned_data["location"]
        if action == "book":
            rows = SessionFormSet(data, form_kwargs={"location": location}, prefix="session")
            if rows.is_valid():
                course, status = _book(request, form, rows)
                if course:
                    messages.success(
                        request,
                        f"Booked {course.planned_infusions} infusions for "
                        f"{course.patient.display_name}.",
                    )
                    return to_courses_tab(course.patient)
        else:
            proposal = services.course_propose(
                patient=form.cleaned_data["patient"], protocol=form.cleaned_data["protocol"],
                location=location, wishes=form.wishes(),
            )  # fmt: skip
            rows = SessionFormSet(
                initial=_proposal_rows(location, proposal),
                form_kwargs={"location": location},
                prefix="session",
            )
    picked = _picked_patient(request.user, form)
    context = {
        "form": form,
        "rows": rows,
        "proposal": proposal,
        "picked": picked,
        "pick_matches": [picked] if picked else [],
        "blockers": course_blockers(picked) if picked else [],
    }
    return render(request, "scheduling/planner.html", context, status=status)


def _picked_patient(user, form):
    """The patient picked so far (shown checked in the picker), scoped to the user's sites."""
    patient = form.cleaned_data.get("patient") if form.is_bound else None
    if patient is None:
        pk = form.initial.get("patient") or (form.data.get("patient") if form.is_bound else None)
        pk = id_param(pk)
        patient = patients_for(user).active().filter(pk=pk).first() if pk is not None else None
    return patient


@role_required(*BOOKERS)
def planner_blockers(request):
    """The red list under the patient picker, for htmx, when the picked patient changes."""
    pk = id_param(request.GET.get("patient"))
    patient = patients_for(request.user).filter(pk=pk).first() if pk is not None else None
    blockers = course_blockers(patient) if patient else []
    return render(request, "scheduling/_blockers.html", {"blockers": blockers})
