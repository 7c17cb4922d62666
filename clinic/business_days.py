"""Business days: plain functions over dates and a set of closed days, no ORM. Billing's
Good Faith Estimate deadlines and the front desk's "contact within 1 business day" use them.

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


def contact_due_by(requested_on: datetime.date, closed: Container[datetime.date]) -> datetime.date:
    """A request is answered by the end of the next business day: Friday's by Monday's close."""
    return add_business_days(requested_on, 1, closed)


def overdue_before(today: datetime.date, closed: Container[datetime.date]) -> datetime.date:
    """The first request day not yet overdue on ``today``: every request made on an earlier
    (site-local) day is past its contact deadline. Deadlines only move forward with the
    request day, so walking back from today finds the boundary."""
    day = today
    while contact_due_by(day - ONE_DAY, closed) >= today:
        day -= ONE_DAY
    return day
