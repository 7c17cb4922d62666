"""Good Faith Estimate deadlines (45 CFR 149.610(b)(1)(vi)), over clinic.business_days."""

import datetime
from collections.abc import Container

from clinic.business_days import add_business_days, business_days_between

__all__ = ["add_business_days", "business_days_between", "estimate_due_by"]


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
