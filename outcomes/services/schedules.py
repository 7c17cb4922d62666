"""Revising a protocol's measure schedule: the next version, never an edit."""

from collections.abc import Iterable
from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.access import require_role
from clinic.models import User
from clinic.roles import ADMINS
from protocols.models import Protocol

from ..models import MeasureSchedule, ScheduledMeasure
from ..schedule import MAX_INFUSION, Item, as_item, ordered, schedule_problems
from ..selectors import current_schedule

SCHEDULE_EDITORS = ADMINS


@transaction.atomic
def measure_schedule_revise(
    *,
    protocol: Protocol,
    items: Iterable,
    note: str,
    by: User,
    review_after_infusion: int | None = None,
) -> MeasureSchedule:
    """The protocol's next schedule version with exactly ``items`` (``Item``s or mappings
    with measure, timing and param) and the physician's review after infusion
    ``review_after_infusion`` (None: as now). Refuses bad items, a review point outside 1-12,
    a missing note and a revision that changes nothing, writing nothing. Locks the protocol,
    so two admins revising at once get consecutive numbers, not a clash."""
    require_role(by, *SCHEDULE_EDITORS, doing="change a protocol's measure schedule")
    items = [as_item(given) for given in items]
    errors: dict[str, list[str]] = {}
    if problems := schedule_problems(items):
        errors["items"] = problems
    if review_after_infusion is not None and (
        isinstance(review_after_infusion, bool)
        or not isinstance(review_after_infusion, int)
        or not 1 <= review_after_infusion <= MAX_INFUSION
    ):
        errors["review_after_infusion"] = [f"An infusion number from 1 to {MAX_INFUSION}."]
    note = (note or "").strip()
    if not note:
        errors["note"] = ["Say what changed and why."]
    if errors:
        raise ValidationError(errors)
    protocol = Protocol.objects.select_for_update().get(pk=protocol.pk)
    wanted = ordered(Item(**item) for item in items)
    current = current_schedule(protocol)
    review_after = review_after_infusion or current.review_after
    if wanted == current.items and review_after == current.review_after:
        raise ValidationError(
            {"items": ["Nothing differs from the current schedule; change at least one item."]}
        )
    schedule = MeasureSchedule(
        protocol=protocol,
        number=(current.version.number + 1) if current.version else 1,
        note=note,
        review_after_infusion=review_after,
        created_by=by,
    )
    schedule.full_clean()
    schedule.save()
    rows = [ScheduledMeasure(schedule=schedule, **asdict(item)) for item in wanted]
    for row in rows:
        row.full_clean(exclude=["schedule"])
    ScheduledMeasure.objects.bulk_create(rows)
    return schedule
