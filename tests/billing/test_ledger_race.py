"""Two desk users at once on real Postgres with real threads: two payments both count, and
two refunds of one payment never give back more than was paid."""

from decimal import Decimal

import pytest

from billing import services as billing
from billing.models import LedgerEntry
from billing.selectors.ledger import balance_usd
from tests.helpers import race

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_two_payments_at_once_both_count(patient, front_desk, clinic_admin):
    billing.ledger_charge(patient=patient, by=front_desk, amount_usd=Decimal("500.00"),
                          description="Infusion")  # fmt: skip
    outcomes = race(attempts=[
        lambda: billing.ledger_payment(patient=patient, by=front_desk,
                                       amount_usd=Decimal("120.00"), method="cash"),
        lambda: billing.ledger_payment(patient=patient, by=clinic_admin,
                                       amount_usd=Decimal("80.50"), method="check",
                                       reference="1042"),
    ])  # fmt: skip
    assert outcomes == ["done", "done"]
    assert balance_usd(patient) == Decimal("299.50")  # 500.00 - 120.00 - 80.50


def test_two_refunds_at_once_never_exceed_the_payment(patient, front_desk, clinic_admin):
    paid = billing.ledger_payment(patient=patient, by=front_desk, amount_usd=Decimal("100.00"),
                                  method="cash")  # fmt: skip
    outcomes = race(attempts=[
        lambda: billing.ledger_refund(payment=paid, by=front_desk, amount_usd=Decimal("70.00"),
                                      reason="Cancelled course"),
        lambda: billing.ledger_refund(payment=paid, by=clinic_admin, amount_usd=Decimal("70.00"),
                                      reason="Cancelled course"),
    ])  # fmt: skip
    assert sorted(outcomes)[0] == "done" and sorted(outcomes)[1].startswith("refused"), outcomes
    assert LedgerEntry.objects.filter(kind="refund").count() == 1
