"""What a user may see and choose in scheduling: chairs, appointments, courses, nurses, shifts
and sites, scoped by ``locations_for`` with their joins inside (one definition each, used
by the screens and the API alike)."""

import datetime
from itertools import groupby
from zoneinfo import ZoneInfo

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from clinic.access import locations_for, pick_site, site_ids_for
from clinic.models import Location, User
from clinic.roles import Role
from protocols.models import Protocol

from ..models import (
    Appointment,
    AppointmentStatus,
    Chair,
    ClosedDay,
    Course,
    NurseShift,
    OpeningHours,
)


def board_chairs_for(user: User) -> list[tuple]:
    """The in-service chairs of the user's sites, grouped by site."""
    chairs = (
        Chair.objects.in_service()
        .at_locations(locations_for(user))
        .select_related("location")
        .order_by("location__name", "name")
    )
    return [
        (location, list(group)) for location, group in groupby(chairs, key=lambda c: c.location)
    ]


def appointments_for(user: User) -> QuerySet[Appointment]:
    """Appointments at the user's sites with what a screen or a list shows of them (patient,
    chair, nurse, course, site, who confirmed the escort) and ``course_completed``, the
    completed infusions of their course, in one query."""
    return (
        Appointment.objects.filter(location__in=site_ids_for(user))
        .select_related("patient", "chair", "nurse", "course", "location", "escort_confirmed_by")
        .annotate(course_completed=_completed_infusions("course"))
        .order_by("starts_at", "chair__name")
    )


def courses_for(user: User) -> QuerySet[Course]:
    """Courses at the user's sites, each with its count of completed infusions: counted per
    course by a subquery, so a page of 50 counts 50 courses' visits (as a join and GROUP BY
    every course of the sites was counted before the page was cut: 280 ms at a busy site)."""
    return (
        Course.objects.filter(location__in=locations_for(user))
        .select_related("patient", "protocol", "location", "booked_by")
        .annotate(completed_infusions=_completed_infusions("pk"))
    )


def _completed_infusions(course: str) -> Coalesce:
    """The completed visits of the outer row's course (``course``: the path to its id)."""
    completed = (
        Appointment.objects.filter(course=OuterRef(course), status=AppointmentStatus.COMPLETED)
        .order_by()
        .values("course")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(completed, output_field=IntegerField()), 0)


def chairs_for(user: User) -> QuerySet[Chair]:
    return Chair.objects.at_locations(locations_for(user)).select_related("location")


def staff_for(user: User) -> QuerySet[User]:
    """Active staff who work at one of the user's sites, with their roles (a course's
    sessions name several nurses; each is checked to be one)."""
    return (
        User.objects.filter(is_active=True, locations__in=locations_for(user))
        .distinct()
        .prefetch_related("groups")
    )


def active_protocols(user: User) -> QuerySet[Protocol]:
    return Protocol.objects.active()


def shifts_for(user: User) -> QuerySet[NurseShift]:
    return NurseShift.objects.filter(location__in=locations_for(user)).select_related(
        "nurse", "location"
    )


def nurses_at(location: Location) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, locations=location, groups__name=Role.NURSE.label
    ).order_by("last_name", "first_name", "username")


def physicians_at(location: Location) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, locations=location, groups__name=Role.PHYSICIAN.label
    ).order_by("last_name", "first_name", "username")


def location_on_day(user: User, location_pk, day: datetime.date) -> tuple[Location, list]:
    """The chosen site (or the user's first) with that day's hours and closure annotated,
    and every site the user may switch to. One query."""
    weekday = OpeningHours.objects.filter(location=OuterRef("pk"), weekday=day.weekday())
    closed = ClosedDay.objects.filter(Q(location=OuterRef("pk")) | Q(location=None), date=day)
    sites = list(
        locations_for(user).annotate(
            opens_at=Subquery(weekday.values("opens_at")[:1]),
            closes_at=Subquery(weekday.values("closes_at")[:1]),
            closed_reason=Subquery(closed.values("reason")[:1]),
        )
    )
    return pick_site(sites, location_pk)


def local_day(zone: str, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of a calendar day on a site's wall clock (23 or 25 h across DST)."""
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=ZoneInfo(zone))
    next_day = day + datetime.timedelta(days=1)
    return start, datetime.datetime.combine(next_day, datetime.time.min, tzinfo=ZoneInfo(zone))


def starting_on(appointments: QuerySet, user: User, day: datetime.date) -> QuerySet:
    """Appointments starting on ``day`` in their own site's wall-clock time."""
    window = Q(pk__in=[])
    for zone in set(locations_for(user).values_list("time_zone", flat=True)):
        start, end = local_day(zone, day)
        window |= Q(location__time_zone=zone, starts_at__gte=start, starts_at__lt=end)
    return appointments.filter(window)
