"""Demo chairs, opening hours and nurse shifts. Idempotent; dev mode only (see seed_demo)."""

import datetime

from django.utils import timezone

from clinic.models import Location, User

from .models import Chair, LocationSchedule, NurseShift, OpeningHours, VisitTemplate
from .services import local_datetime

CHAIRS_PER_LOCATION = {"irvine": 4, "san-diego": 3}
# Monday-Friday 08:00-18:00, Saturday 09:00-14:00.
HOURS = {day: (datetime.time(8), datetime.time(18)) for day in range(5)} | {
    5: (datetime.time(9), datetime.time(14))
}
SHIFT_DAYS_AHEAD = 42
NURSE_SITES = {"nurse": "irvine", "nurse2": "irvine"}


def seed() -> list[str]:
    created = []
    _, made = VisitTemplate.objects.get_or_create(
        name="Standard visit",
        defaults={"prep_minutes": 20, "recovery_minutes": 45, "is_default": True},
    )
    if made:
        created.append("visit template")
    for code, count in CHAIRS_PER_LOCATION.items():
        location = Location.objects.get(code=code)
        LocationSchedule.objects.get_or_create(location=location)
        for weekday, (opens, closes) in HOURS.items():
            OpeningHours.objects.get_or_create(
                location=location,
                weekday=weekday,
                defaults={"opens_at": opens, "closes_at": closes},
            )
        for number in range(1, count + 1):
            _, made = Chair.objects.get_or_create(location=location, name=f"Chair {number}")
            if made:
                created.append(f"chair {location.name} {number}")
    created += _seed_shifts()
    return created


def _seed_shifts() -> list[str]:
    """Day shifts for the demo nurses from today on, on every open day."""
    today, added = timezone.localdate(), 0
    for username, code in NURSE_SITES.items():
        nurse, location = User.objects.get(username=username), Location.objects.get(code=code)
        for offset in range(SHIFT_DAYS_AHEAD):
            day = today + datetime.timedelta(days=offset)
            if day.weekday() not in HOURS:
                continue
            opens, closes = HOURS[day.weekday()]
            starts_at = local_datetime(location, day, opens)
            _, made = NurseShift.objects.get_or_create(
                nurse=nurse, location=location, starts_at=starts_at,
                defaults={"ends_at": local_datetime(location, day, closes)},
            )  # fmt: skip
            added += made
    return [f"{added} nurse shifts"] if added else []
