"""End-of-day reconciliation, inventories and discrepancy follow-up for the drug log."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from clinic.access import require_role
from clinic.models import Location, User
from clinic.roles import CLINICAL_READERS, EDITORS, Role

from ..models import (
    DailyReconciliation,
    DiscrepancyResolution,
    Inventory,
    InventoryCount,
    Lot,
    ReconciliationCount,
)
from ..timing import CLOCK_SKEW
from .druglog import _cents, _lock_site, business_date, require_site

RECONCILERS = CLINICAL_READERS
INVENTORY_TAKERS = EDITORS
ZERO = Decimal("0.00")


def expected_on(lot: Lot, day: datetime.date) -> tuple[Decimal, Decimal]:
    """(mg, mL) the log says the lot held at the end of ``day``."""
    totals = lot.entries.filter(business_date__lte=day).aggregate(
        mg=Sum("stock_change_mg"), ml=Sum("stock_change_ml")
    )
    return totals["mg"] or ZERO, totals["ml"] or ZERO


def lots_to_count(location: Location, day: datetime.date) -> list[Lot]:
    """Lots with stock at the end of ``day``, or with any entry on it."""
    lots = Lot.objects.filter(location=location, entries__business_date__lte=day).distinct()
    return [
        lot
        for lot in lots.order_by("lot_number")
        if expected_on(lot, day)[0] != 0 or lot.entries.filter(business_date=day).exists()
    ]


def _counted_ml(lot: Lot, counted: dict, field: str) -> Decimal:
    value = counted.get(lot.pk, counted.get(lot))
    if value is None:
        raise ValidationError({field: f"Count lot {lot.lot_number} (mL on hand)."})
    if isinstance(value, float) or not isinstance(value, (Decimal, int)) or value < 0:
        raise ValidationError({field: f"Lot {lot.lot_number}: enter the mL counted (0 or more)."})
    return _cents(Decimal(value))


@transaction.atomic
def day_reconcile(
    *,
    location: Location,
    day: datetime.date,
    counted_ml: dict,
    reconciled_by: User,
    note: str = "",
) -> DailyReconciliation:
    """Close a site's day: for each lot, the mL counted against what the log expects.

    ``counted_ml`` maps a lot (or its id) to the mL counted on hand. Any difference is
    recorded and flagged to the clinic admins; the day (and every earlier one) then takes no
    more entries.
    """
    require_role(reconciled_by, *RECONCILERS, doing="reconcile controlled substances")
    require_site(reconciled_by, location, "reconcile there")
    _lock_site(location)
    if day > business_date(location, timezone.now()):
        raise ValidationError({"day": "A day can only be reconciled once it has begun."})
    latest = location.drug_reconciliations.order_by("-business_date").first()
    if latest is not None and day <= latest.business_date:
        raise ValidationError(
            {"day": f"{location} is already reconciled through {latest.business_date:%m/%d/%Y}."}
        )
    wanted = [lot.pk for lot in lots_to_count(location, day)]
    lots = list(Lot.objects.select_for_update().filter(pk__in=wanted))
    counts = []
    for lot in sorted(lots, key=lambda lot: lot.lot_number):
        expected_mg, expected_ml = expected_on(lot, day)
        ml = _counted_ml(lot, counted_ml, "counted_ml")
        mg = _cents(ml * lot.concentration_mg_per_ml)
        counts.append(
            ReconciliationCount(
                lot=lot,
                expected_mg=expected_mg,
                expected_ml=expected_ml,
                counted_ml=ml,
                counted_mg=mg,
                discrepancy_mg=mg - expected_mg,
            )  # fmt: skip
        )
    reconciliation = DailyReconciliation(
        location=location, business_date=day, reconciled_by=reconciled_by,
        note=(note or "").strip(), has_discrepancy=any(c.discrepancy_mg for c in counts),
    )  # fmt: skip
    reconciliation.full_clean()
    reconciliation.save()
    for count in counts:
        count.reconciliation = reconciliation
        count.full_clean()
        count.save()
    return reconciliation


@transaction.atomic
def discrepancy_resolve(
    *, count: ReconciliationCount, resolved_by: User, note: str
) -> DiscrepancyResolution:
    """A clinic admin records how a flagged discrepancy was investigated."""
    require_role(resolved_by, Role.CLINIC_ADMIN, doing="close a drug-count discrepancy")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say what the investigation found."})
    if not count.is_discrepancy:
        raise ValidationError("This count matched; there is nothing to resolve.")
    resolution = DiscrepancyResolution(count=count, note=note, resolved_by=resolved_by)
    resolution.full_clean()
    resolution.save()
    return resolution


@transaction.atomic
def inventory_record(
    *,
    location: Location,
    kind: str,
    counted_ml: dict,
    taken_by: User,
    taken_at: datetime.datetime | None = None,
    note: str = "",
) -> Inventory:
    """The opening or biennial inventory: every lot of the site counted (mL on hand)."""
    require_role(taken_by, *INVENTORY_TAKERS, doing="take a controlled-substance inventory")
    require_site(taken_by, location, "take an inventory there")
    _lock_site(location)
    now = timezone.now()
    taken_at = taken_at or now
    if taken_at > now + CLOCK_SKEW:
        raise ValidationError({"taken_at": "An inventory cannot be dated in the future."})
    inventory = Inventory(
        location=location, kind=kind, taken_at=taken_at, taken_by=taken_by,
        note=(note or "").strip(),
    )  # fmt: skip
    inventory.full_clean()
    inventory.save()
    day = business_date(location, taken_at)
    for lot in Lot.objects.filter(location=location, received_at__lte=taken_at):
        ml = _counted_ml(lot, counted_ml, "counted_ml")
        count = InventoryCount(
            inventory=inventory, lot=lot, counted_ml=ml,
            counted_mg=_cents(ml * lot.concentration_mg_per_ml),
            expected_mg=expected_on(lot, day)[0],
        )  # fmt: skip
        count.full_clean()
        count.save()
    return inventory
