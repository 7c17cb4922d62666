"""Reading the ledger: a patient's entries with the running balance, balances computed by
the database, and the entries a user may see."""

from decimal import Decimal

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from clinic.models import User
from patients.models import Patient
from patients.selectors import patients_for

from ..models import EntryKind, LedgerEntry

ZERO = Decimal("0.00")


def ledger_for(patient: Patient) -> list[LedgerEntry]:
    """The patient's entries, oldest first, each with ``balance_after`` (a window sum in the
    database)."""
    from django.db.models import F, Window

    return list(
        patient.ledger_entries.select_related("recorded_by", "refund_of", "appointment")
        .annotate(
            balance_after=Window(
                Sum("amount_usd"), order_by=[F("recorded_at").asc(), F("pk").asc()]
            )
        )
        .order_by("recorded_at", "pk")
    )


def balance_usd(patient: Patient) -> Decimal:
    return LedgerEntry.objects.filter(patient=patient).balance_usd()


def entries_for(user: User) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(patient__in=patients_for(user)).select_related(
        "patient", "recorded_by"
    )


def payments_left_to_refund(patient: Patient) -> list[LedgerEntry]:
    payments = patient.ledger_entries.filter(kind=EntryKind.PAYMENT).annotate(
        refunded=Coalesce(Sum("refunds__amount_usd"), Value(ZERO), output_field=DecimalField())
    )
    return [p for p in payments if -p.amount_usd - p.refunded > 0]


def balances_for(user: User) -> QuerySet[Patient]:
    """The user's patients who owe something, with ``balance_usd``; largest first."""
    owed = (
        LedgerEntry.objects.filter(patient=OuterRef("pk"))
        .values("patient")
        .annotate(total=Sum("amount_usd"))
        .values("total")
    )
    return (
        patients_for(user)
        .annotate(balance_usd=Subquery(owed, output_field=DecimalField()))
        .filter(balance_usd__gt=0)
        .order_by("-balance_usd", "pk")
    )
