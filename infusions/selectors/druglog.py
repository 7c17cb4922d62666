"""Reads of the controlled-substance log: lots with balances, entries, reconciliations."""

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from clinic.access import locations_for
from clinic.models import User

from ..models import DailyReconciliation, DrugLogEntry, Inventory, Lot, ReconciliationCount


def lots_for(user: User) -> QuerySet[Lot]:
    """Lots at the user's sites, each annotated with its running balance (mg, mL)."""
    latest = DrugLogEntry.objects.filter(lot=OuterRef("pk"), balance_mg__isnull=False).order_by(
        "-pk"
    )
    return (
        Lot.objects.filter(location__in=locations_for(user))
        .select_related("location", "received_by")
        .annotate(
            balance_mg=Subquery(latest.values("balance_mg")[:1]),
            balance_ml=Subquery(latest.values("balance_ml")[:1]),
        )
        .order_by("location__name", "expires_on", "lot_number")
    )


def lot_for(user: User, pk) -> Lot:
    return get_object_or_404(lots_for(user), pk=pk)


def entries_for(user: User) -> QuerySet[DrugLogEntry]:
    return DrugLogEntry.objects.filter(location__in=locations_for(user)).for_report()


def lot_entries(lot: Lot) -> QuerySet[DrugLogEntry]:
    """Every entry touching a lot: its stock entries and the administered/wasted entries of
    the infusions that drew from it, in the order they happened."""
    orders = DrugLogEntry.objects.filter(lot=lot, kind="drawn").values("order")
    return (
        DrugLogEntry.objects.filter(Q(lot=lot) | Q(lot__isnull=True, order__in=orders))
        .for_report()
        .order_by("pk")
    )


def report_entries(
    user: User, *, lot: Lot | None = None, start=None, end=None, location=None
) -> QuerySet[DrugLogEntry]:
    """Entries for the CSV report: one lot's, or a date range's (business dates, inclusive)."""
    entries = lot_entries(lot) if lot is not None else entries_for(user)
    entries = entries.filter(location__in=locations_for(user))
    if location is not None:
        entries = entries.filter(location=location)
    if start is not None:
        entries = entries.filter(business_date__gte=start)
    if end is not None:
        entries = entries.filter(business_date__lte=end)
    return entries.order_by("business_date", "occurred_at", "pk")


def reconciliations_for(user: User) -> QuerySet[DailyReconciliation]:
    return (
        DailyReconciliation.objects.filter(location__in=locations_for(user))
        .select_related("location", "reconciled_by")
        .prefetch_related("counts__lot")
    )


def open_discrepancies_for(user: User) -> QuerySet[ReconciliationCount]:
    """Counts that differed from the log and no clinic admin has closed: the admins' alerts."""
    return (
        ReconciliationCount.objects.filter(
            reconciliation__location__in=locations_for(user), resolution__isnull=True
        )
        .exclude(discrepancy_mg=0)
        .select_related("lot", "reconciliation__location", "reconciliation__reconciled_by")
        .order_by("reconciliation__business_date", "lot__lot_number")
    )


def inventories_for(user: User) -> QuerySet[Inventory]:
    return (
        Inventory.objects.filter(location__in=locations_for(user))
        .select_related("location", "taken_by")
        .prefetch_related("counts__lot")
    )
