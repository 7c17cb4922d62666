"""Closing a site's day: the expected takings are summed by the database at the moment of
closing, the desk's counts and a reason for each difference are kept, and from then on the
day is locked. Locking is enforced by Postgres (a trigger on the ledger, migration 0004): a
payment or refund recorded at the site on a closed day is refused, whatever the door. A
correction found later goes on the next open day as an adjustment (with its reason), or a
clinic admin reopens the day with a reason; the close stays as history."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.access import locations_for, require_role
from clinic.errors import ConflictError
from clinic.models import Location, User
from clinic.roles import ADMINS, DESK

from ..models import CENT, CLOSE_METHODS, DailyClose, DailyCloseReopen
from ..selectors.closing import close_in_force, expected_by_method

CLOSERS = DESK
REOPENERS = ADMINS


@transaction.atomic
def day_close(
    *,
    location: Location,
    day: datetime.date,
    by: User,
    counted_usd: dict[str, Decimal | None],
    reasons: dict[str, str] | None = None,
) -> DailyClose:
    """Close ``day`` at ``location``: ``counted_usd`` and ``reasons`` by field stem (cash,
    check, card, hsa). Every count is required; a count that differs from the ledger needs a
    reason."""
    require_role(by, *CLOSERS, doing="close the day")
    if not locations_for(by).filter(pk=location.pk).exists():
        raise ValidationError({"location": "This site is not one of yours."})
    # The site row lock makes payments at the site wait (their foreign-key check shares the
    # row) until the close is committed, and the close wait for payments in flight.
    location = Location.objects.select_for_update().get(pk=location.pk)
    if day > location.today():
        raise ValidationError({"day": "A day can be closed once it has started."})
    if close_in_force(location, day) is not None:
        raise ConflictError({"day": "This day is already closed."})
    reasons = reasons or {}
    expected = expected_by_method(location, day)
    errors, fields = {}, {}
    for _method, stem in CLOSE_METHODS:
        counted = counted_usd.get(stem)
        reason = (reasons.get(stem) or "").strip()
        if counted is None:
            errors[f"counted_{stem}_usd"] = "Enter what was counted (0 if none)."
            continue
        if counted < 0 or counted != counted.quantize(CENT):
            errors[f"counted_{stem}_usd"] = "Give a positive amount in dollars and cents."
            continue
        if counted != expected[stem] and not reason:
            errors[f"{stem}_reason"] = (
                f"The count differs from the ledger's ${expected[stem]}: say why."
            )
        fields.update({f"expected_{stem}_usd": expected[stem], f"counted_{stem}_usd": counted,
                       f"{stem}_reason": reason if counted != expected[stem] else ""})  # fmt: skip
    if errors:
        raise ValidationError(errors)
    close = DailyClose(location=location, day=day, closed_by=by, **fields)
    close.full_clean()
    close.save()
    return close


@transaction.atomic
def day_reopen(*, close: DailyClose, by: User, reason: str) -> DailyCloseReopen:
    """A clinic admin reopens a closed day, with the reason (the close stays as history)."""
    require_role(by, *REOPENERS, doing="reopen a closed day")
    location = Location.objects.select_for_update().get(pk=close.location_id)
    if not locations_for(by).filter(pk=location.pk).exists():
        raise ValidationError({"location": "This site is not one of yours."})
    if DailyCloseReopen.objects.filter(close=close).exists():
        raise ConflictError({"close": "This close was already reopened."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the day is reopened."})
    reopen = DailyCloseReopen(close=close, reason=reason.strip(), reopened_by=by)
    reopen.full_clean()
    reopen.save()
    return reopen


__all__ = ["CLOSERS", "REOPENERS", "day_close", "day_reopen", "expected_by_method"]
