"""Changing one appointment (reschedule, cancel, no-show) or the rest of a course."""

import datetime

from django.contrib import messages
from django.shortcuts import redirect, render

from clinic.access import role_required
from clinic.forms import run_service

from .. import services
from ..forms import ReasonForm, RescheduleForm
from ..hooks import offers_for_freed_slot
from ..models import AppointmentStatus
from ..selectors.slots import free_slots, make_up_slot
from ..selectors.visits import CHANGEABLE
from ..services.slots import local
from .common import (
    BOOKERS,
    appointment_for,
    course_for,
    parse_day,
    posted,
    to_courses_tab,
)  # fmt: skip


def _form_page(request, form, *, heading, submit, patient, intro="", status=200):
    context = {
        "form": form, "heading": heading, "submit": submit, "patient": patient, "intro": intro,
    }  # fmt: skip
    return render(request, "scheduling/action_form.html", context, status=status)


def _describe(appointment) -> str:
    starts = local(appointment.location, appointment.starts_at)
    number = f"Infusion {appointment.sequence} · " if appointment.sequence else ""
    return f"{number}{starts:%a %m/%d/%Y %H:%M}, {appointment.chair.name}"


ONE_DAY = datetime.timedelta(days=1)


def _slot_choice(data):
    """A picked slot ("local time|chair|nurse") spelled as the reschedule form's fields."""
    if data is None or "slot" not in data:
        return data
    parts = data["slot"].split("|")
    if len(parts) != 3:
        return data
    picked = data.copy()
    picked["starts_at"], picked["chair"], picked["nurse"] = parts
    return picked


def _day_asked(text: str, default: datetime.date) -> tuple[datetime.date, str]:
    if not text:
        return default, ""
    day = parse_day(text, None)
    if day is None:
        return default, f'"{text}" is not a date; showing {default:%a %m/%d/%Y}.'
    return day, ""


@role_required(*BOOKERS)
def reschedule(request, pk):
    """Pick a free slot (time, chair, nurse) on a day, or type one; the service re-checks."""
    appointment = appointment_for(request.user, pk)
    location = appointment.location
    form = RescheduleForm(_slot_choice(posted(request)), appointment=appointment)
    status = 200
    if form.is_bound and form.is_valid():
        moved_it, status = run_service(form, lambda: services.appointment_reschedule(
            appointment=appointment, changed_by=request.user, **form.cleaned_data))  # fmt: skip
        if moved_it:
            moved = local(location, moved_it.starts_at)
            messages.success(
                request,
                f"Appointment moved to {moved:%a %m/%d/%Y %H:%M}; "
                "the escort must confirm the new time.",
            )
            return to_courses_tab(appointment.patient)
    today = services.site_today(location)
    default = max(local(location, appointment.starts_at).date(), today)
    asked = request.GET.get("date", "")
    if not asked and form.is_bound:  # after a refused pick, the day that was picked
        asked = form.data.get("starts_at", "")[:10]
    day, date_error = _day_asked(asked, default)
    if day < today:
        slots, why_none = [], f"{day:%a %m/%d/%Y} has passed; pick today or a later day."
    else:
        slots, why_none = free_slots(appointment, day)
    context = {
        "form": form, "patient": appointment.patient, "appointment": appointment,
        "intro": _describe(appointment), "day": day, "slots": slots, "why_none": why_none,
        "previous_day": day - ONE_DAY, "next_day": day + ONE_DAY,
        "can_go_back": day > today, "date_error": date_error,
        "picked": form.data.get("slot", "") if form.is_bound else "",
    }  # fmt: skip
    return render(request, "scheduling/reschedule.html", context, status=status)


def _transition_page(request, pk, *, to_status, heading, submit, done):
    appointment = appointment_for(request.user, pk)
    form = ReasonForm(posted(request))
    if form.is_bound and form.is_valid():
        run_service(
            form,
            lambda: services.appointment_transition(
                appointment=appointment,
                to_status=to_status,
                changed_by=request.user,
                reason=form.cleaned_data["reason"],
            ),
        )
        if not form.errors:
            messages.success(request, done)
            return to_courses_tab(appointment.patient)
    return _form_page(
        request, form, heading=heading, submit=submit, patient=appointment.patient,
        intro=_describe(appointment),
    )  # fmt: skip


@role_required(*BOOKERS)
def cancel(request, pk):
    response = _transition_page(
        request, pk, to_status=AppointmentStatus.CANCELLED, heading="Cancel this session",
        submit="Cancel session", done="Session cancelled; the rest of the course is unchanged.",
    )  # fmt: skip
    if response.status_code == 302 and appointment_for(request.user, pk).course_id:
        return redirect("scheduling:make_up", pk)  # offer the make-up at once
    return response


@role_required(*BOOKERS)
def make_up(request, pk):
    """Offer, then book, a make-up for a cancelled course session after the course's last."""
    cancelled = appointment_for(request.user, pk)
    form = RescheduleForm(posted(request), appointment=cancelled)
    status = 200
    if form.is_bound and form.is_valid():
        picked = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
        made, status = run_service(form, lambda: services.appointment_book_make_up(
            cancelled=cancelled, booked_by=request.user, **picked))  # fmt: skip
        if made:
            when = local(made.location, made.starts_at)
            messages.success(
                request,
                f"Make-up booked: infusion {made.sequence}, {when:%a %m/%d/%Y %H:%M}, "
                f"{made.chair.name} with {made.nurse}.",
            )
            return to_courses_tab(cancelled.patient)
    made = getattr(cancelled, "made_up_by", None)  # None when not made up yet
    slot, why_none = (None, "") if made else make_up_slot(cancelled)
    context = {
        "form": form, "patient": cancelled.patient, "cancelled": cancelled, "made": made,
        "slot": slot, "why_none": why_none, "intro": _describe(cancelled),
        "cancellable": cancelled.status == AppointmentStatus.CANCELLED and cancelled.course_id,
        "freed_offers": offers_for_freed_slot(cancelled),
    }  # fmt: skip
    return render(request, "scheduling/make_up.html", context, status=status)


@role_required(*BOOKERS)
def no_show(request, pk):
    return _transition_page(
        request, pk, to_status=AppointmentStatus.NO_SHOW, heading="Mark as no-show",
        submit="Mark no-show", done="Marked as no-show.",
    )  # fmt: skip


@role_required(*BOOKERS)
def course_cancel(request, pk):
    course = course_for(request.user, pk)
    form = ReasonForm(posted(request))
    if form.is_bound and form.is_valid():
        count, _ = run_service(
            form,
            lambda: services.course_cancel_remaining(
                course=course, changed_by=request.user, reason=form.cleaned_data["reason"]
            ),
        )
        if not form.errors:
            messages.success(request, f"Cancelled the {count} remaining session(s).")
            return to_courses_tab(course.patient)
    remaining = course.appointments.filter(status__in=CHANGEABLE).count()
    return _form_page(
        request, form, heading="Cancel the rest of this course", submit="Cancel the rest",
        patient=course.patient,
        intro=f"{remaining} session(s) not yet attended will be cancelled; attended ones stay.",
    )  # fmt: skip
