"""Booking a course (all sessions or none) and changing one appointment at a time."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from clinic.access import require_role
from clinic.errors import ConflictError
from clinic.models import Location, User
from clinic.roles import DESK
from patients.models import Patient
from patients.selectors import primary_escort

from .. import notify
from ..models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    Chair,
    Course,
    CourseStatus,
    LocationSchedule,
    VisitTemplate,
)
from ..selectors.replan import visit_shape
from ..selectors.slots import course_gap_problem, make_up_slot
from ..selectors.visits import course_blockers
from .appointments import lock_nurse_shifts, record_status, save_appointment
from .slots import SessionTimes, SiteBookings, local, session_times, slot_invalid, slot_taken

BOOKERS = DESK


@dataclass(frozen=True)
class SessionRequest:
    """One infusion the front desk wants: when (aware), which chair, which nurse."""

    starts_at: datetime.datetime
    chair: Chair
    nurse: User


def course_rules_problems(
    sessions: list[SessionRequest],
    rules: LocationSchedule,
    planned_infusions: int,
    booster: bool = False,
) -> dict[str, str]:
    """Count, spacing and span of a course, before anything is looked up. A booster (after
    a finished course, when relief wanes) is one infusion, whatever a course's size."""
    low, high = (1, 1) if booster else (rules.min_infusions, rules.max_infusions)
    if not low <= planned_infusions <= high:
        return {
            "planned_infusions": f"A course has {low} to {high} infusions, not {planned_infusions}."
        }
    if len(sessions) != planned_infusions:
        return {"sessions": f"{len(sessions)} sessions given for a course of {planned_infusions}."}
    starts = sorted(s.starts_at for s in sessions)
    gap = datetime.timedelta(hours=rules.min_gap_hours)
    for earlier, later in zip(starts, starts[1:], strict=False):
        if later - earlier < gap:
            earlier, later = local(rules.location, earlier), local(rules.location, later)
            return {
                "sessions": f"Infusions on {earlier:%m/%d %H:%M} and {later:%m/%d %H:%M} are less "
                f"than {rules.min_gap_hours} h apart."
            }
    if starts[-1] - starts[0] > datetime.timedelta(days=rules.max_course_days):
        return {"sessions": f"A course fits within {rules.max_course_days} days."}
    return {}


@transaction.atomic
def course_book(
    *,
    patient: Patient,
    protocol,
    location: Location,
    sessions: list[SessionRequest],
    booked_by: User,
    planned_infusions: int | None = None,
    template: VisitTemplate | None = None,
    booster: bool = False,
) -> Course:
    """Book a whole course in one transaction: every session, or none of them. ``booster``:
    a single booster infusion, booked as a course of one."""
    require_role(booked_by, *BOOKERS, doing="book courses")
    if not protocol.is_active:
        raise ValidationError({"protocol": f"{protocol} is withdrawn; choose an active protocol."})
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if blockers := course_blockers(patient):
        raise ValidationError({"patient": blockers})
    planned_infusions = planned_infusions or len(sessions)
    rules = LocationSchedule.for_location(location)
    if problems := course_rules_problems(sessions, rules, planned_infusions, booster):
        raise ValidationError(problems)
    template = template or VisitTemplate.default()
    infusion_minutes = protocol.infusion_minutes
    ordered = sorted(sessions, key=lambda s: s.starts_at)
    times_list = [session_times(s.starts_at, infusion_minutes, template) for s in ordered]
    lock_nurse_shifts(location, [(s.nurse, t) for s, t in zip(ordered, times_list, strict=True)])
    course = Course.objects.create(
        patient=patient, protocol=protocol, location=location,
        planned_infusions=planned_infusions, booked_by=booked_by,
        notes="Booster infusion" if booster else "",
    )  # fmt: skip
    escort = primary_escort(patient)
    # Everything booked at the site over the course's days, read once under the locks (a
    # fixed number of queries, not a dozen per session); each session booked is added, so
    # the next one sees it. The exclusion constraints still stand behind chairs and patient.
    booked = SiteBookings(
        location=location, patient=patient,
        chairs=list({s.chair.pk: s.chair for s in ordered}.values()),
        nurses=list({s.nurse.pk: s.nurse for s in ordered}.values()),
        first_day=location.date_of(times_list[0].starts_at),
        last_day=location.date_of(times_list[-1].ends_at),
    )  # fmt: skip
    with notify.course_changes_together():  # billing's estimate: once, not once per visit
        for number, (request, times) in enumerate(zip(ordered, times_list, strict=True), 1):
            when = f"Infusion {number} ({local(location, times.starts_at):%m/%d %H:%M})"
            if invalid := booked.slot_invalid(request.chair, request.nurse, times):
                raise ValidationError({field: f"{when}: {msg}" for field, msg in invalid.items()})
            if taken := booked.slot_taken(request.chair, request.nurse, times):
                raise ConflictError({field: f"{when}: {msg}" for field, msg in taken.items()})
            appointment = Appointment(
                course=course, sequence=number, patient=patient, location=location,
                chair=request.chair, nurse=request.nurse, starts_at=times.starts_at,
                ends_at=times.ends_at, infusion_starts_at=times.infusion_starts_at,
                infusion_ends_at=times.infusion_ends_at,
                escort_name=escort.name if escort else "",
                escort_phone=escort.phone if escort else "",
            )  # fmt: skip
            save_appointment(appointment)
            booked.add(appointment)
            record_status(appointment, "", AppointmentStatus.SCHEDULED, booked_by, "Course booked")
            notify.appointment_changed(appointment, "booked")
    notify.course_booked(course, by=booked_by)
    return course


@transaction.atomic
def appointment_book_make_up(
    *,
    cancelled: Appointment,
    booked_by: User,
    starts_at: datetime.datetime | None = None,
    chair: Chair | None = None,
    nurse: User | None = None,
) -> Appointment:
    """Book a make-up for a cancelled course session, after the course's last session.

    Without a time, the first free slot (``make_up_slot``) is taken; with one (the slot the
    front desk was shown), that slot is re-checked under the locks like any booking. One
    make-up per cancelled session; the course keeps within its size and window.
    """
    require_role(booked_by, *BOOKERS, doing="book make-up sessions")
    if cancelled.course_id is None:
        raise ValidationError({"course": "This visit is not part of a course."})
    # The course first, then the session: the order course_cancel_remaining locks them in.
    course = Course.objects.select_for_update().get(pk=cancelled.course_id)
    cancelled = Appointment.objects.select_for_update().get(pk=cancelled.pk)
    if cancelled.status != AppointmentStatus.CANCELLED:
        raise ValidationError({"status": "Only a cancelled session can be made up."})
    if course.status in (CourseStatus.CANCELLED, CourseStatus.ABANDONED):
        raise ValidationError(
            {"course": f"The course is {course.get_status_display().lower()}; plan a new one."}
        )
    location = cancelled.location
    if made := Appointment.objects.filter(makes_up_for=cancelled).first():
        raise ConflictError(
            {"status": f"Infusion {cancelled.sequence} is already made up: "
                       f"{local(location, made.starts_at):%a %m/%d/%Y %H:%M}."}
        )  # fmt: skip
    rules = LocationSchedule.for_location(location)
    held = course.appointments.filter(status__in=ACTIVE_STATUSES).count()
    if held + 1 > rules.max_infusions:
        raise ValidationError(
            {"course": f"The course already holds {held} sessions; a course has at most "
                       f"{rules.max_infusions}."}
        )  # fmt: skip
    if starts_at is None:
        slot, why_none = make_up_slot(cancelled)
        if slot is None:
            raise ValidationError({"starts_at": why_none})
        starts_at, chair, nurse = slot.starts_at, slot.chair, slot.nurse
    chair, nurse = chair or cancelled.chair, nurse or cancelled.nurse
    # The visit keeps its shape, or takes the protocol in force's infusion time when a
    # physician changed the course's protocol to one that runs longer or shorter.
    length, infusion_offset, infusion_length = visit_shape(cancelled)
    times = SessionTimes(
        starts_at=starts_at,
        ends_at=starts_at + length,
        infusion_starts_at=starts_at + infusion_offset,
        infusion_ends_at=starts_at + infusion_offset + infusion_length,
    )
    if problem := course_gap_problem(cancelled, starts_at, rules=rules):
        raise ValidationError(problem)
    lock_nurse_shifts(location, [(nurse, times)])
    if invalid := slot_invalid(location=location, chair=chair, nurse=nurse, times=times):
        raise ValidationError(invalid)
    taken = slot_taken(
        location=location, patient=cancelled.patient, chair=chair, nurse=nurse, times=times
    )
    if taken:
        raise ConflictError(taken)
    escort = primary_escort(cancelled.patient)
    last_number = course.appointments.aggregate(n=Max("sequence"))["n"] or 0
    make_up = Appointment(
        course=course, sequence=last_number + 1, patient=cancelled.patient, location=location,
        chair=chair, nurse=nurse, starts_at=times.starts_at, ends_at=times.ends_at,
        infusion_starts_at=times.infusion_starts_at, infusion_ends_at=times.infusion_ends_at,
        escort_name=escort.name if escort else "",
        escort_phone=escort.phone if escort else "", makes_up_for=cancelled,
    )  # fmt: skip
    save_appointment(make_up)
    was = f"{local(location, cancelled.starts_at):%m/%d %H:%M}"
    record_status(
        make_up, "", AppointmentStatus.SCHEDULED, booked_by,
        f"Make-up for infusion {cancelled.sequence} (cancelled, was {was})",
    )  # fmt: skip
    if course.status == CourseStatus.COMPLETED:  # its last open session was the cancelled one
        course.status = CourseStatus.ACTIVE
        course.save(update_fields=["status"])
    notify.appointment_changed(make_up, "booked")
    return make_up
