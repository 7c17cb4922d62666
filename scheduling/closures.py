"""Is a site closed on a day? US federal holidays (when the site follows them) and the
site's own closures (ClosedDay rows, of the site or of every site)."""

import datetime
from dataclasses import dataclass
from functools import lru_cache

import holidays
from django.db.models import Q

from clinic.models import Location

from .models import ClosedDay, LocationSchedule


@lru_cache(maxsize=32)
def _federal_calendar(year: int) -> dict[datetime.date, str]:
    return dict(holidays.US(years=year, observed=True).items())


def federal_holiday(day: datetime.date) -> str | None:
    """The US federal holiday on ``day`` (observed days included), or None."""
    return _federal_calendar(day.year).get(day)


def federal_holidays_between(start: datetime.date, end: datetime.date) -> dict:
    """Federal holidays from ``start`` to ``end`` inclusive, by date."""
    found = {}
    for year in range(start.year, end.year + 1):
        found |= {d: n for d, n in _federal_calendar(year).items() if start <= d <= end}
    return dict(sorted(found.items()))


def site_closures(location: Location):
    return ClosedDay.objects.filter(Q(location=location) | Q(location=None))


def closed_reason(location: Location, day: datetime.date) -> str | None:
    """Why ``location`` is closed on ``day`` (its local date), or None when it is open."""
    closure = site_closures(location).filter(date=day).first()
    if closure is not None:
        return closure.reason
    if LocationSchedule.for_location(location).follows_federal_holidays:
        if name := federal_holiday(day):
            return f"{name}, a US federal holiday"
    return None


@dataclass(frozen=True)
class ClosedDate:
    date: datetime.date
    reason: str
    closure: ClosedDay | None  # None: a federal holiday, not a row to remove


def closed_dates_between(location: Location, start: datetime.date, end: datetime.date):
    """Every closed day of the site in [start, end], closures and federal holidays, by date."""
    days = {
        c.date: ClosedDate(c.date, c.reason, c)
        for c in site_closures(location).filter(date__range=(start, end)).select_related()
    }
    if LocationSchedule.for_location(location).follows_federal_holidays:
        for day, name in federal_holidays_between(start, end).items():
            days.setdefault(day, ClosedDate(day, f"{name}, a US federal holiday", None))
    return [days[d] for d in sorted(days)]
