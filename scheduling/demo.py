"""Demo chairs, opening hours, US holidays and nurse shifts at the three demo sites.
Idempotent; dev mode only (see seed_demo).

Irvine and San Diego keep office hours and close on US federal holidays. Costa Mesa is the
always-open demo site: open 00:00-23:59 every day, never closed, with two nurses on shift
all day, so whenever the demo starts there is a working day in progress there (README, The
demo clinic). Shifts and closed days have no service (the clinic admin keeps them in the
admin, which validates each row): the seed validates and saves them the same way.
"""

import datetime

from django.utils import timezone

from clinic.models import Location, User

from .models import (
    Chair,
    ClosedDay,
    LocationSchedule,
    NurseShift,
    OpeningHours,
    VisitTemplate,
)
from .services import local_datetime

DEMO_SITE = "costa-mesa"
CHAIRS_PER_LOCATION = {"irvine": 4, "san-diego": 3, DEMO_SITE: 10}
OFFICE_HOURS = {day: (datetime.time(8), datetime.time(18)) for day in range(5)} | {
    5: (datetime.time(9), datetime.time(14))
}
ALL_DAY = {day: (datetime.time(0), datetime.time(23, 59)) for day in range(7)}
HOURS = {"irvine": OFFICE_HOURS, "san-diego": OFFICE_HOURS, DEMO_SITE: ALL_DAY}
# Two nurses at the demo site (the blind double-check needs a second nurse), one at each other.
NURSE_SITES = {"nurse": DEMO_SITE, "nurse2": DEMO_SITE, "nurse3": "irvine", "nurse4": "san-diego"}
SHIFT_DAYS_AHEAD = 42
NURSE_CAPACITY = {DEMO_SITE: 4}


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
        LocationSchedule.objects.get_or_create(
            location=location, defaults={"nurse_capacity": NURSE_CAPACITY.get(code, 1)}
        )
        for weekday, (opens, closes) in HOURS[code].items():
            OpeningHours.objects.get_or_create(
                location=location, weekday=weekday,
                defaults={"opens_at": opens, "closes_at": closes},
            )  # fmt: skip
        for number in range(1, count + 1):
            _, made = Chair.objects.get_or_create(location=location, name=f"Chair {number}")
            if made:
                created.append(f"chair {location.name} {number}")
    created += _seed_holidays()
    created += _seed_shifts()
    return created


def us_holidays(year: int) -> dict[datetime.date, str]:
    """US federal holidays of a year (observed dates not shifted: the demo closes on the day)."""

    def nth(month, weekday, n):
        first = datetime.date(year, month, 1)
        day = first + datetime.timedelta(days=(weekday - first.weekday()) % 7)
        if n < 0:  # the last one
            while (day + datetime.timedelta(days=7)).month == month:
                day += datetime.timedelta(days=7)
            return day
        return day + datetime.timedelta(days=7 * (n - 1))

    return {
        datetime.date(year, 1, 1): "New Year's Day",
        nth(1, 0, 3): "Martin Luther King Jr. Day",
        nth(2, 0, 3): "Presidents' Day",
        nth(5, 0, -1): "Memorial Day",
        datetime.date(year, 6, 19): "Juneteenth",
        datetime.date(year, 7, 4): "Independence Day",
        nth(9, 0, 1): "Labor Day",
        nth(10, 0, 2): "Columbus Day",
        datetime.date(year, 11, 11): "Veterans Day",
        nth(11, 3, 4): "Thanksgiving Day",
        datetime.date(year, 12, 25): "Christmas Day",
    }


def _seed_holidays() -> list[str]:
    """This year's and next year's holidays as closed days at the office-hours sites."""
    year, added = timezone.localdate().year, 0
    holidays = us_holidays(year) | us_holidays(year + 1)
    for location in Location.objects.exclude(code=DEMO_SITE).filter(code__in=HOURS):
        have = set(location.closed_days.values_list("date", flat=True))
        for day, reason in holidays.items():
            if day not in have:
                closed = ClosedDay(location=location, date=day, reason=reason)
                closed.full_clean()
                closed.save()
                added += 1
    return [f"{added} closed days"] if added else []


def open_hours(location: Location, day: datetime.date) -> tuple | None:
    """(opens, closes) of a demo site on a day, None when closed."""
    if location.closed_days.filter(date=day).exists():
        return None
    return HOURS[location.code].get(day.weekday())


def _seed_shifts() -> list[str]:
    """A shift for every demo nurse on every open day of the weeks ahead at their site."""
    today, added = timezone.localdate(), 0
    for username, code in NURSE_SITES.items():
        nurse, location = User.objects.get(username=username), Location.objects.get(code=code)
        have = set(
            NurseShift.objects.filter(nurse=nurse, location=location).values_list(
                "starts_at", flat=True
            )
        )
        # The demo site's shifts reach back two weeks: the mid-course patients' past visits.
        for offset in range(-14 if code == DEMO_SITE else -1, SHIFT_DAYS_AHEAD):
            day = today + datetime.timedelta(days=offset)
            if (hours := open_hours(location, day)) is None:
                continue
            starts_at = local_datetime(location, day, hours[0])
            if starts_at in have:
                continue
            shift = NurseShift(
                nurse=nurse, location=location, starts_at=starts_at,
                ends_at=local_datetime(location, day, hours[1]),
            )  # fmt: skip
            shift.full_clean()
            shift.save()
            added += 1
    return [f"{added} nurse shifts"] if added else []
