"""A site's set-up by its clinic admins: closures, federal holidays, opening hours."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from clinic.access import require_role
from clinic.errors import ConflictError
from clinic.models import Location, User
from clinic.roles import ADMINS

from ..models import ACTIVE_STATUSES, Appointment, ClosedDay, LocationSchedule, OpeningHours
from ..selectors.scope import local_day

SETUP = ADMINS


def _booked_on(location: Location, day: datetime.date) -> int:
    """Active appointments starting on ``day`` on the site's own wall clock."""
    start, end = local_day(location.time_zone, day)
    return Appointment.objects.filter(
        location=location, status__in=ACTIVE_STATUSES, starts_at__gte=start, starts_at__lt=end
    ).count()


@transaction.atomic
def closed_day_add(*, actor: User, location: Location, date: datetime.date, reason: str):
    """Close a site on a day. Refused while infusions are booked there that day."""
    require_role(actor, *SETUP, doing="close a site for a day")
    if ClosedDay.objects.filter(Q(location=location) | Q(location=None), date=date).exists():
        raise ValidationError({"date": f"{location} is already closed on {date:%m/%d/%Y}."})
    if booked := _booked_on(location, date):
        raise ConflictError(
            {"date": f"{booked} infusion(s) are booked at {location} on {date:%m/%d/%Y}; "
                     "reschedule them first."}
        )  # fmt: skip
    closure = ClosedDay(location=location, date=date, reason=reason.strip(), added_by=actor)
    closure.full_clean()
    closure.save()
    return closure


@transaction.atomic
def closed_day_remove(*, actor: User, closure: ClosedDay) -> None:
    require_role(actor, *SETUP, doing="reopen a site on a closed day")
    if closure.location_id is None and not actor.is_superuser:
        raise ValidationError({"date": "A closure of every site is removed in the admin."})
    closure.delete()


@transaction.atomic
def federal_holidays_set(*, actor: User, location: Location, follow: bool) -> LocationSchedule:
    require_role(actor, *SETUP, doing="change a site's holidays")
    rules = LocationSchedule.for_location(location)
    rules.follows_federal_holidays = follow
    rules.full_clean()
    rules.save()
    return rules


def _booked_outside(
    location: Location,
    weekday: int,
    opens_at: datetime.time | None,
    closes_at: datetime.time | None,
) -> list[datetime.datetime]:
    """The local starts of the visits still to come at the site on ``weekday`` that the new
    hours would leave outside (all of them when the weekday closes), soonest first."""
    visits = Appointment.objects.filter(
        location=location, status__in=ACTIVE_STATUSES, ends_at__gte=timezone.now()
    ).order_by("starts_at")
    outside = []
    for starts_at, ends_at in visits.values_list("starts_at", "ends_at").iterator():
        start, end = location.local(starts_at), location.local(ends_at)
        if start.weekday() != weekday:
            continue
        if opens_at is None or start.time() < opens_at or end.time() > closes_at:
            outside.append(start)
    return outside


@transaction.atomic
def opening_hours_set(
    *,
    actor: User,
    location: Location,
    weekday: int,
    opens_at: datetime.time | None,
    closes_at: datetime.time | None,
) -> OpeningHours | None:
    """Set a weekday's hours, or close the site on that weekday (both times None). Refused
    while visits still to come on that weekday would fall outside them, as a closed day is."""
    require_role(actor, *SETUP, doing="change a site's opening hours")
    existing = OpeningHours.objects.filter(location=location, weekday=weekday).first()
    if (opens_at is None) != (closes_at is None):
        raise ValidationError({"opens_at": "Give both times, or neither to close that day."})
    if outside := _booked_outside(location, weekday, opens_at, closes_at):
        day = OpeningHours.Weekday(weekday).label
        hours = f"outside {opens_at:%H:%M}-{closes_at:%H:%M}" if opens_at else "on a closed day"
        raise ConflictError({"opens_at": (
            f"{len(outside)} infusion(s) booked at {location} on {day}s would fall {hours} "
            f"(the first {outside[0]:%a %m/%d/%Y %H:%M}): reschedule them first."
        )})  # fmt: skip
    if opens_at is None and closes_at is None:
        if existing:
            existing.delete()
        return None
    hours = existing or OpeningHours(location=location, weekday=weekday)
    hours.opens_at, hours.closes_at = opens_at, closes_at
    hours.full_clean()
    hours.save()
    return hours
