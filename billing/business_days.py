"""Business days for Good Faith Estimate deadlines (45 CFR 149.610(b)(1)(vi)): plain
functions over dates and a set of closed days, no ORM.

A business day is Monday to Friday and not a day the site is closed (its holidays count)."""

import datetime
from collections.abc import Container

ONE_DAY = datetime.timedelta(days=1)


def is_business_day(day: datetime.date, closed: Container[datetime.date]) -> bool:
    return day.weekday() < 5 and day not in closed


def business_days_between(
    start: datetime.date, end: datetime.date, closed: Container[datetime.date]
) -> int:
    """Business days after ``start`` up to and including ``end``."""
    count, day = 0, start + ONE_DAY
    while day <= end:
        count += is_business_day(day, closed)
        day += ONE_DAY
    return count


def add_business_days(
    start: datetime.date, days: int, closed: Container[datetime.date]
) -> datetime.date:
    """The ``days``-th business day after ``start``."""
    day = start
    while days > 0:
        day += ONE_DAY
        days -= is_business_day(day, closed)
    return day


def estimate_due_by(
    scheduled_on: datetime.date,
    service_on: datetime.date | None,
    closed: Container[datetime.date],
    *,
    requested: bool = False,
) -> datetime.date | None:
    """When a Good Faith Estimate is due: 3 business days after a request; for a scheduled
    service, 1 business day after scheduling when it is 3-9 business days away, 3 when it is
    10 or more away; None when less than 3 business days away (no estimate is required)."""
    if requested or service_on is None:
        return add_business_days(scheduled_on, 3, closed)
    ahead = business_days_between(scheduled_on, service_on, closed)
    if ahead >= 10:
        return add_business_days(scheduled_on, 3, closed)
    if ahead >= 3:
        return add_business_days(scheduled_on, 1, closed)
    return None
