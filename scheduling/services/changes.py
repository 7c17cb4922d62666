"""Changing one appointment never creates or moves another one."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.access import require_role
from clinic.errors import ConflictError
from clinic.models import User
from clinic.roles import ALL_STAFF, Role
from clinic.transitions import Transitions

from .. import hooks, notify
from ..models import (
    Appointment,
    AppointmentStatus,
    Chair,
    Course,
    CourseStatus,
)
from ..selectors.slots import course_gap_problem
from ..selectors.visits import CHANGEABLE
from .appointments import lock_nurse_shifts, record_status, save_appointment
from .check_in import require_check_in_day
from .slots import SessionTimes, local, slot_invalid, slot_taken

S = AppointmentStatus
# The only legal moves. Completed, cancelled and no-show are final.
ALLOWED = Transitions(
    {
        S.SCHEDULED: {S.CONFIRMED, S.CHECKED_IN, S.CANCELLED, S.NO_SHOW},
        S.CONFIRMED: {S.SCHEDULED, S.CHECKED_IN, S.CANCELLED, S.NO_SHOW},
        S.CHECKED_IN: {S.IN_CHAIR, S.CANCELLED},
        S.IN_CHAIR: {S.COMPLETED},
        S.COMPLETED: set(),
        S.CANCELLED: set(),
        S.NO_SHOW: set(),
    },
    what="An appointment",
    labels=S,
)
STAFF = ALL_STAFF
# Who may set a status, whichever door is used (page, API, admin): cancel and no-show are the
# front desk's; in chair and completed belong to the chair screen. Others: all staff.
STATUS_SETTERS = {
    S.CANCELLED: (Role.FRONT_DESK, Role.CLINIC_ADMIN),
    S.NO_SHOW: (Role.FRONT_DESK, Role.CLINIC_ADMIN),
    S.IN_CHAIR: (Role.NURSE, Role.PHYSICIAN),
    S.COMPLETED: (Role.NURSE, Role.PHYSICIAN),
}
NEEDS_REASON = {S.CANCELLED, S.NO_SHOW}


@transaction.atomic
def appointment_transition(
    *, appointment: Appointment, to_status: str, changed_by: User, reason: str = ""
) -> Appointment:
    """Move an appointment to a new status, if the table allows it, with a history row."""
    require_role(
        changed_by,
        *STATUS_SETTERS.get(to_status, STAFF),
        doing=f"mark an appointment {S(to_status).label.lower()}",
    )
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    return _transition_locked(appointment, to_status, changed_by, reason)


def _transition_locked(
    appointment: Appointment,
    to_status: str,
    changed_by: User,
    reason: str,
    *,
    course_status: bool = True,
) -> Appointment:
    """``appointment_transition`` once the appointment's row is locked and read.
    ``course_status=False``: the caller sets the course's status once, after all its
    sessions (not one read and update of the course per session)."""
    from_status = ALLOWED.check(appointment, to_status)
    if to_status == S.CHECKED_IN:
        require_check_in_day(appointment)
    if to_status == S.NO_SHOW and timezone.now() < appointment.starts_at:
        when = local(appointment.location, appointment.starts_at)
        raise ValidationError({"status": (
            f"This visit is not until {when:%a %m/%d/%Y %H:%M}: a patient is a no-show only "
            "once the visit's time has come. To take it off the schedule, cancel it with "
            "the reason."
        )})  # fmt: skip
    if to_status in NEEDS_REASON and not reason.strip():
        raise ValidationError(
            {"reason": f"Say why the appointment is {S(to_status).label.lower()}."}
        )
    if from_status == S.CHECKED_IN and to_status == S.CANCELLED:
        for hook in hooks.checked_in_cancel:  # the chart closed as not given
            hook(appointment=appointment, by=changed_by, reason=reason.strip())
    appointment.status = to_status
    appointment.save(update_fields=["status"])
    record_status(appointment, from_status, to_status, changed_by, reason.strip())
    if appointment.course_id and course_status:
        _update_course_status(appointment.course)
    change = {S.CANCELLED: "cancelled", S.NO_SHOW: "no_show"}.get(to_status, "status")
    notify.appointment_changed(appointment, change)
    return appointment


def _update_course_status(course: Course) -> None:
    statuses = list(course.appointments.values_list("status", flat=True))
    done = sum(s == S.COMPLETED for s in statuses)
    open_ = sum(s in (S.SCHEDULED, S.CONFIRMED, S.CHECKED_IN, S.IN_CHAIR) for s in statuses)
    if course.status in (CourseStatus.CANCELLED, CourseStatus.ABANDONED):
        return
    if open_ == 0:
        course.status = CourseStatus.COMPLETED if done else CourseStatus.CANCELLED
    elif done or S.IN_CHAIR in statuses or S.CHECKED_IN in statuses:
        course.status = CourseStatus.ACTIVE
    course.save(update_fields=["status"])


@transaction.atomic
def appointment_reschedule(
    *,
    appointment: Appointment,
    starts_at: datetime.datetime,
    changed_by: User,
    chair: Chair | None = None,
    nurse: User | None = None,
    reason: str = "",
) -> Appointment:
    """Move one session; its neighbours in the course stay where they are."""
    require_role(changed_by, Role.FRONT_DESK, Role.CLINIC_ADMIN, doing="reschedule")
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status not in (S.SCHEDULED, S.CONFIRMED):
        raise ValidationError({"status": "Only a scheduled or confirmed appointment can move."})
    chair, nurse = chair or appointment.chair, nurse or appointment.nurse
    # The visit keeps its own shape (preparation, infusion, recovery); only the time moves.
    shift = starts_at - appointment.starts_at
    times = SessionTimes(
        starts_at=starts_at,
        ends_at=appointment.ends_at + shift,
        infusion_starts_at=appointment.infusion_starts_at + shift,
        infusion_ends_at=appointment.infusion_ends_at + shift,
    )
    if problem := course_gap_problem(appointment, starts_at):
        raise ValidationError(problem)
    lock_nurse_shifts(appointment.location, [(nurse, times)])
    if invalid := slot_invalid(
        location=appointment.location, chair=chair, nurse=nurse, times=times
    ):
        raise ValidationError(invalid)
    taken = slot_taken(
        location=appointment.location, patient=appointment.patient, chair=chair, nurse=nurse,
        times=times, ignore=appointment,
    )  # fmt: skip
    if taken:
        raise ConflictError(taken)
    old = f"{local(appointment.location, appointment.starts_at):%m/%d %H:%M}"
    appointment.chair, appointment.nurse = chair, nurse
    appointment.starts_at, appointment.ends_at = times.starts_at, times.ends_at
    appointment.infusion_starts_at = times.infusion_starts_at
    appointment.infusion_ends_at = times.infusion_ends_at
    appointment.escort_confirmed = False  # the escort must confirm the new time
    appointment.escort_confirmed_by, appointment.escort_confirmed_at = None, None
    save_appointment(appointment)
    note = f"Rescheduled from {old}" + (f": {reason.strip()}" if reason.strip() else "")
    record_status(appointment, appointment.status, appointment.status, changed_by, note)
    notify.appointment_changed(appointment, "rescheduled")
    return appointment


@transaction.atomic
def course_cancel_remaining(*, course: Course, changed_by: User, reason: str) -> int:
    """Cancel every session of a course that has not happened yet; return how many."""
    require_role(changed_by, Role.FRONT_DESK, Role.CLINIC_ADMIN, doing="cancel courses")
    course = Course.objects.select_for_update().get(pk=course.pk)
    if course.status in (CourseStatus.CANCELLED, CourseStatus.ABANDONED, CourseStatus.COMPLETED):
        raise ValidationError(
            {"status": f"The course is already {course.get_status_display().lower()}."}
        )
    if not reason.strip():
        raise ValidationError({"reason": "Say why the rest of the course is cancelled."})
    require_role(changed_by, *STATUS_SETTERS[S.CANCELLED], doing="mark an appointment cancelled")
    # The sessions locked and read in one query (the course first, as everywhere), each
    # knowing its course: not one read of each per session.
    sessions = list(
        course.appointments.select_for_update(of=("self",))
        .filter(status__in=[S.SCHEDULED, S.CONFIRMED])
        .select_related("patient", "chair__location", "location")
    )
    cancelled = 0
    with notify.course_changes_together():  # billing's estimate: one update, not one per visit
        for appointment in sessions:
            appointment.course = course
            _transition_locked(appointment, S.CANCELLED, changed_by, reason, course_status=False)
            cancelled += 1
    done = course.appointments.filter(status=S.COMPLETED).exists()
    course.status = CourseStatus.ABANDONED if done else CourseStatus.CANCELLED
    course.save(update_fields=["status"])
    return cancelled


DEACTIVATED_NOTE = "Patient record deactivated: "


def cancel_visits_of_deactivated(*, patient, by: User, reason: str) -> int:
    """``patients.hooks.patient_deactivated``: the visits still to come for a patient whose
    record is deactivated are cancelled with the reason (their reminders stop, the chairs go
    to the waitlist, the courses end); refused while the patient is checked in or in the
    chair. Returns how many were cancelled."""
    now = timezone.now()
    here = (
        Appointment.objects.filter(
            patient=patient, status__in=[S.CHECKED_IN, S.IN_CHAIR],
            ends_at__gte=now - datetime.timedelta(hours=12),  # today's, not one left open
        )
        .select_related("location")
        .first()
    )  # fmt: skip
    if here is not None:
        raise ValidationError({"__all__": (
            f"The patient is {S(here.status).label.lower()} at {here.location} now: close "
            "today's visit before deactivating the record."
        )})  # fmt: skip
    note = (DEACTIVATED_NOTE + reason)[:300]
    booked = Appointment.objects.filter(patient=patient, status__in=CHANGEABLE, starts_at__gte=now)
    cancelled = 0
    ended = (CourseStatus.CANCELLED, CourseStatus.ABANDONED, CourseStatus.COMPLETED)
    courses = Course.objects.filter(pk__in=booked.values("course")).exclude(status__in=ended)
    for course in courses.order_by("pk"):
        cancelled += course_cancel_remaining(course=course, changed_by=by, reason=note)
    for appointment in booked.select_for_update():  # left: no course, or one already ended
        _transition_locked(appointment, S.CANCELLED, by, note)
        cancelled += 1
    return cancelled
