"""A patient's courses, a nurse's day, today's patients, the appointments a shift carries."""

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from clinic.access import locations_for
from clinic.models import User
from patients.selectors import booking_blockers

from ..models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    CalendarFeed,
    Course,
    NurseShift,
)
from .board import local_midnight
from .scope import starting_on


def patient_courses(patient) -> list[Course]:
    """The patient's courses, newest first, each with its appointments and progress."""
    appointments = Appointment.objects.select_related(
        "chair", "nurse", "location", "makes_up_for", "made_up_by"
    ).order_by("starts_at")
    return list(
        patient.courses.select_related("location", "protocol")
        .annotate(
            done=Count("appointments", filter=Q(appointments__status=AppointmentStatus.COMPLETED))
        )
        .prefetch_related(Prefetch("appointments", queryset=appointments))
    )


TO_COME = (
    AppointmentStatus.SCHEDULED,
    AppointmentStatus.CONFIRMED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.IN_CHAIR,
)


def course_blockers(patient) -> list[str]:
    """Why a new course (or booster) cannot be booked for this patient now: the record's
    reasons (``patients.selectors.booking_blockers``) and a course already booked with
    sessions still to come. A patient has one course of infusions at a time: a second
    booked beside it would put two infusions on the same days, at any site. To change a
    course, cancel its remaining sessions first, or book a make-up into it."""
    reasons = booking_blockers(patient)
    ahead = (
        Appointment.objects.filter(
            patient=patient,
            course__isnull=False,
            status__in=TO_COME,
            ends_at__gte=timezone.now(),
        )
        .select_related("location")
        .order_by("starts_at")
        .first()
    )
    if ahead is not None:
        when = ahead.starts_at.astimezone(ahead.location.zone)
        reasons.append(
            f"The patient already has a course booked at {ahead.location}, with an infusion on "
            f"{when:%a %m/%d/%Y %H:%M} still to come: cancel its remaining sessions before "
            "booking another, or book a make-up into it."
        )
    return reasons


def live_feed(patient) -> CalendarFeed | None:
    return patient.calendar_feeds.filter(revoked_at=None).first()


CHANGEABLE = (AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED)


def nurse_day(nurse: User, day: datetime.date) -> list[Appointment]:
    """A nurse's own active appointments on a day (each site's own wall clock), in time
    order."""
    mine = Appointment.objects.active().filter(nurse=nurse)
    return list(
        starting_on(mine, nurse, day)
        .select_related("patient", "chair", "location", "course")
        .order_by("starts_at")
    )


def todays_patients(user: User) -> list[Appointment]:
    """Today's visits (each site's own today) at the user's sites, in arrival order."""
    window = Q()
    for location in locations_for(user):
        today = location.today()
        start = local_midnight(location, today)
        window |= Q(
            location=location,
            starts_at__gte=start,
            starts_at__lt=start + datetime.timedelta(days=1),
        )
    if not window:
        return []
    return list(Appointment.objects.active().filter(window).for_board().select_related("location"))


def appointments_in_shift(shift: NurseShift) -> QuerySet[Appointment]:
    """Active appointments that rely on this shift: its nurse infusing at its site then."""
    return Appointment.objects.filter(
        nurse=shift.nurse_id, location=shift.location_id, status__in=ACTIVE_STATUSES
    ).infusing_between(shift.starts_at, shift.ends_at)
