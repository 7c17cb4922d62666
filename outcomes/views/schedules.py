"""Clinic admin screens: every protocol's outcome-measure schedule, and one protocol's with
the form that revises it (``services.measure_schedule_revise``: a new version); and the
patient page's list of each course's due measures (a partial loaded by htmx)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from clinic.access import role_required
from clinic.forms import run_service
from clinic.roles import ADMINS
from patients.selectors import patient_for
from protocols.models import Protocol

from ..forms import MeasureScheduleForm
from ..selectors import (
    DUE_MEASURE_READERS,
    current_schedule,
    current_schedules,
    links_by_course,
    patient_course_measures,
    schedule_versions,
)
from ..services import LINK_SENDERS, SCHEDULE_EDITORS, measure_schedule_revise
from ..tokens import link_url


@role_required(*ADMINS)
def schedules(request):
    """Every protocol (active first) with the schedule its courses ask for now."""
    rows = current_schedules(Protocol.objects.order_by("-is_active", "name"))
    return render(request, "outcomes/schedules.html", {"rows": rows})


@role_required(*SCHEDULE_EDITORS)
def schedule(request, pk: int):
    protocol = get_object_or_404(Protocol, pk=pk)
    current = current_schedule(protocol)
    form = MeasureScheduleForm(
        request.POST or None, current=current.items, review_after=current.review_after
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        items = form.items()
        if not form.errors:
            version, status = run_service(
                form,
                lambda: measure_schedule_revise(
                    protocol=protocol, items=items, note=form.cleaned_data["note"],
                    by=request.user,
                    review_after_infusion=form.cleaned_data["review_after_infusion"],
                ),
            )  # fmt: skip
            if not form.errors:
                messages.success(request, f"Version {version.number} is now the schedule.")
                return redirect("outcomes:schedule", pk=protocol.pk)
    context = {
        "protocol": protocol,
        "current": current,
        "form": form,
        "versions": schedule_versions().filter(protocol=protocol),
    }
    return render(request, "outcomes/schedule.html", context, status=status)


@role_required(*DUE_MEASURE_READERS)
def patient_due_measures(request, pk: int):
    """The patient's courses with what each asks for and what is answered, as a partial the
    patient page's Courses tab loads with htmx (patients does not import outcomes)."""
    patient = patient_for(request.user, pk)
    now = timezone.now()
    measures = patient_course_measures(request.user, patient)
    links = links_by_course([course.pk for course, _ in measures])
    courses = [
        {
            "course": course,
            "links": [(link, link.state(now), link_url(link)) for link in links[course.pk]],
            "live_link": any(link.state(now) == "live" for link in links[course.pk]),
            "rows": [(measure, measure.state(now)) for measure in due],
            "answered": sum(measure.answered for measure in due),
            "open": sum(measure.state(now) == "open" for measure in due),
            "total": len(due),
        }
        for course, due in measures
    ]
    context = {
        "patient": patient,
        "courses": courses,
        "may_send": request.user.may(*LINK_SENDERS),
    }
    return render(request, "outcomes/_patient_due_measures.html", context)
