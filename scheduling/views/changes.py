"""Changing one appointment (reschedule, cancel, no-show) or the rest of a course."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import render

from clinic.access import role_required
from clinic.errors import ConflictError

from .. import services
from ..forms import ReasonForm, RescheduleForm, add_service_errors
from ..models import AppointmentStatus
from ..selectors import CHANGEABLE
from ..services.slots import local
from .common import BOOKERS, CONFLICT, appointment_for, course_for, posted, to_courses_tab


def _form_page(request, form, *, heading, submit, patient, intro="", status=200):
    context = {
        "form": form, "heading": heading, "submit": submit, "patient": patient, "intro": intro,
    }  # fmt: skip
    return render(request, "scheduling/action_form.html", context, status=status)


def _describe(appointment) -> str:
    starts = local(appointment.location, appointment.starts_at)
    number = f"Infusion {appointment.sequence} · " if appointment.sequence else ""
    return f"{number}{starts:%a %m/%d/%Y %H:%M}, {appointment.chair.name}"


@role_required(*BOOKERS)
def reschedule(request, pk):
    appointment = appointment_for(request.user, pk)
    form = RescheduleForm(posted(request), appointment=appointment)
    status = 200
    if form.is_bound and form.is_valid():
        try:
            services.appointment_reschedule(appointment=appointment, changed_by=request.user,
                                            **form.cleaned_data)  # fmt: skip
        except ConflictError as conflict:
            add_service_errors(form, conflict.errors)
            status = CONFLICT
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Appointment moved; the escort must confirm the new time.")
            return to_courses_tab(appointment.patient)
    return _form_page(
        request, form, heading="Reschedule this session", submit="Move session",
        patient=appointment.patient, intro=_describe(appointment), status=status,
    )  # fmt: skip


def _transition_page(request, pk, *, to_status, heading, submit, done):
    appointment = appointment_for(request.user, pk)
    form = ReasonForm(posted(request))
    if form.is_bound and form.is_valid():
        try:
            services.appointment_transition(
                appointment=appointment, to_status=to_status, changed_by=request.user,
                reason=form.cleaned_data["reason"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return to_courses_tab(appointment.patient)
    return _form_page(
        request, form, heading=heading, submit=submit, patient=appointment.patient,
        intro=_describe(appointment),
    )  # fmt: skip


@role_required(*BOOKERS)
def cancel(request, pk):
    return _transition_page(
        request, pk, to_status=AppointmentStatus.CANCELLED, heading="Cancel this session",
        submit="Cancel session", done="Session cancelled; the rest of the course is unchanged.",
    )  # fmt: skip


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
        try:
            count = services.course_cancel_remaining(
                course=course, changed_by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Cancelled the {count} remaining session(s).")
            return to_courses_tab(course.patient)
    remaining = course.appointments.filter(status__in=CHANGEABLE).count()
    return _form_page(
        request, form, heading="Cancel the rest of this course", submit="Cancel the rest",
        patient=course.patient,
        intro=f"{remaining} session(s) not yet attended will be cancelled; attended ones stay.",
    )  # fmt: skip
