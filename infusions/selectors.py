"""Reads of infusions records, with their joins inside so no caller can forget them."""

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from clinic.access import locations_for
from clinic.models import User
from clinic.roles import Role
from scheduling.models import Appointment

from .models import (
    DailyReconciliation,
    DoseOrder,
    DrugLogEntry,
    Inventory,
    Lot,
    OrderStatus,
    Protocol,
    ProtocolVersion,
    ReconciliationCount,
)
from .models.orders import DoseOrderQuerySet
from .weight_window import weight_window_problem


def protocols_with_versions() -> QuerySet[Protocol]:
    """Every protocol, active ones first, each with its versions prefetched."""
    return Protocol.objects.with_versions().order_by("-is_active", "name")


def protocol_versions() -> QuerySet[ProtocolVersion]:
    return ProtocolVersion.objects.select_related("protocol", "created_by").order_by(
        "protocol__name", "-number"
    )


def current_protocol_version(protocol: Protocol) -> ProtocolVersion | None:
    """The version a new dose uses: the latest of an active protocol, else None."""
    if not protocol.is_active:
        return None
    return protocol.versions.select_related("protocol").order_by("-number").first()


# --- Dose orders and double-checks ------------------------------------------------------


def orders_for(user: User) -> DoseOrderQuerySet:
    """Orders for appointments at the user's sites, with their status and screen joins."""
    return (
        DoseOrder.objects.with_status()
        .for_screens()
        .filter(appointment__location__in=locations_for(user))
    )


def unsigned_orders_for(user: User) -> DoseOrderQuerySet:
    """The physician's signing queue: unsigned orders at their sites, oldest first."""
    return orders_for(user).filter(current_status=OrderStatus.UNSIGNED).order_by("created_at")


def order_for(user: User, pk) -> DoseOrder:
    return get_object_or_404(orders_for(user), pk=pk)


def appointment_for(user: User, pk) -> Appointment:
    appointments = Appointment.objects.filter(location__in=locations_for(user)).select_related(
        "patient", "location", "chair", "nurse", "course__protocol"
    )
    return get_object_or_404(appointments, pk=pk)


def active_order(appointment: Appointment) -> DoseOrder | None:
    return appointment.dose_orders.active().for_screens().first()


def may_see_dose(user: User, order: DoseOrder) -> bool:
    """Whether the order's dose (and every nurse's check) may be shown to this user.

    A nurse sees them only once she has entered her own check: the double-check is blind.
    Physicians and clinic admins are never checkers, so they always see them.
    """
    if user.may(Role.PHYSICIAN, Role.CLINIC_ADMIN):
        return True
    return any(check.nurse_id == user.pk for check in order.checks.all())


def usable_weights(appointment: Appointment, version: ProtocolVersion) -> list:
    """The patient's weights that the protocol's window accepts for this appointment."""
    weights = appointment.patient.weights.select_related("corrected_by").order_by(
        "-measured_at", "-pk"
    )[:10]
    return [
        weight
        for weight in weights
        if weight_window_problem(weight=weight, appointment=appointment, version=version) is None
    ]


# --- Controlled-substance log -------------------------------------------------------------


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
