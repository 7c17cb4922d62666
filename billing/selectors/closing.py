"""What a site-day took, by method, as the ledger has it (summed by the database), and the
state of its close."""

import datetime
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from clinic.errors import ConflictError
from clinic.models import Location

from ..models import CLOSE_METHODS, DailyClose, EntryKind, LedgerEntry

ZERO = Decimal("0.00")


def expected_by_method(location: Location, day: datetime.date) -> dict[str, Decimal]:
    """Money in (payments less refunds) recorded at the site on its calendar ``day``, by
    field stem (cash, check, card, hsa), in one query."""
    start, end = location.day_bounds(day)
    rows = LedgerEntry.objects.filter(
        location=location, kind__in=[EntryKind.PAYMENT, EntryKind.REFUND],
        recorded_at__gte=start, recorded_at__lt=end,
    ).aggregate(**{
        stem: Sum("amount_usd", filter=Q(method=method), default=ZERO)
        for method, stem in CLOSE_METHODS
    })  # fmt: skip
    # Payments are stored negative (they lower the balance): money taken is the opposite.
    return {stem: -(rows[stem] or ZERO) + ZERO for _method, stem in CLOSE_METHODS}


def close_in_force(location: Location, day: datetime.date) -> DailyClose | None:
    """The day's close that was not reopened, if any."""
    return (
        DailyClose.objects.filter(location=location, day=day, reopen__isnull=True)
        .select_related("closed_by")
        .first()
    )


def closes_of(location: Location, day: datetime.date) -> list[DailyClose]:
    """The day's history: every close, with its reopening if any, oldest first."""
    return list(
        DailyClose.objects.filter(location=location, day=day)
        .select_related("closed_by", "reopen__reopened_by")
        .order_by("closed_at", "pk")
    )


def recent_closes(locations, days: int = 14) -> list[DailyClose]:
    return list(
        DailyClose.objects.filter(location__in=locations)
        .select_related("location", "closed_by", "reopen")
        .order_by("-day", "-closed_at")[: days * 4]
    )


def refuse_closed_day(location: Location, moment: datetime.datetime | None = None) -> None:
    """Refuse money moving at the site on a closed day (the service's clear message; the
    database trigger refuses it anyway)."""
    day = location.date_of(moment or timezone.now())
    if close_in_force(location, day) is not None:
        raise ConflictError({"__all__": f"{location.name}'s takings for {day:%m/%d/%Y} are "
                             "closed: take it on the next open day, or ask a clinic admin to "
                             "reopen the day."})  # fmt: skip
