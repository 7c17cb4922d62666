"""The patient's ledger: charges, payments, refunds and adjustments as new rows; the balance
is their sum in the database; refusals write nothing; the database refuses UPDATE."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InternalError, connection, transaction

from billing import services as billing
from billing.models import LedgerEntry
from billing.selectors.ledger import balance_usd, balances_for, ledger_for
from clinic.errors import ConflictError
from scheduling import services as scheduling
from scheduling.models import AppointmentStatus
from tests.helpers import make_appointment

D = Decimal


def test_the_balance_is_the_sum_of_the_entries(patient, front_desk, prices):
    infusion = prices.item("infusion")
    billing.ledger_charge(patient=patient, by=front_desk, price_item=infusion)  # +550.00
    billing.ledger_charge(patient=patient, by=front_desk, amount_usd=D("19.99"),
                          description="Eye mask")  # fmt: skip
    paid = billing.ledger_payment(patient=patient, by=front_desk, amount_usd=D("500.00"),
                                  method="card_terminal", reference="TRM-0091")  # fmt: skip
    billing.ledger_refund(payment=paid, by=front_desk, amount_usd=D("0.99"), reason="Overpaid")
    billing.ledger_adjust(patient=patient, by=front_desk, amount_usd=D("25.00"),
                          direction="credit", reason="Courtesy discount")  # fmt: skip
    # 550.00 + 19.99 - 500.00 + 0.99 - 25.00 = 45.98
    assert balance_usd(patient) == D("45.98")
    assert [e.balance_after for e in ledger_for(patient)] == [
        D("550.00"), D("569.99"), D("69.99"), D("70.98"), D("45.98")]  # fmt: skip
    assert list(balances_for(front_desk)) == [patient]
    assert balances_for(front_desk)[0].balance_usd == D("45.98")


def test_a_charge_keeps_the_price_it_was_sold_at(patient, front_desk, prices):
    entry = billing.ledger_charge(patient=patient, by=front_desk, price_item=prices.item("booster"))
    assert entry.amount_usd == D("450.00") and entry.price_item.price_list == prices


@pytest.mark.parametrize("amount", [D("0"), D("-10.00"), D("10.001"), None])
def test_a_zero_negative_or_fractional_cent_payment_is_refused(patient, front_desk, amount):
    with pytest.raises(ValidationError) as refused:
        billing.ledger_payment(patient=patient, by=front_desk, amount_usd=amount, method="cash")
    assert "amount_usd" in refused.value.message_dict
    assert not LedgerEntry.objects.exists()


def test_a_card_payment_needs_the_terminals_reference(patient, front_desk):
    with pytest.raises(ValidationError) as refused:
        billing.ledger_payment(patient=patient, by=front_desk, amount_usd=D("5"),
                               method="card_terminal")  # fmt: skip
    assert "reference" in refused.value.message_dict
    assert not LedgerEntry.objects.exists()


def test_a_refund_above_what_was_paid_is_refused(patient, front_desk):
    paid = billing.ledger_payment(patient=patient, by=front_desk, amount_usd=D("100.00"),
                                  method="cash")  # fmt: skip
    billing.ledger_refund(payment=paid, by=front_desk, amount_usd=D("60.00"), reason="Part")
    with pytest.raises(ValidationError) as refused:
        billing.ledger_refund(payment=paid, by=front_desk, amount_usd=D("40.01"), reason="Rest")
    assert "$40.00" in refused.value.message_dict["amount_usd"][0]
    assert LedgerEntry.objects.count() == 2


def test_refunds_and_adjustments_need_a_reason(patient, front_desk):
    paid = billing.ledger_payment(patient=patient, by=front_desk, amount_usd=D("10"),
                                  method="cash")  # fmt: skip
    with pytest.raises(ValidationError):
        billing.ledger_refund(payment=paid, by=front_desk, amount_usd=D("1"), reason=" ")
    with pytest.raises(ValidationError):
        billing.ledger_adjust(patient=patient, by=front_desk, amount_usd=D("1"),
                              direction="credit", reason="")  # fmt: skip
    assert LedgerEntry.objects.count() == 1


def test_a_cancelled_visit_is_not_charged_and_a_visit_only_once(
    patient, front_desk, prices, site, nurse, protocol
):
    visit = make_appointment(site=site, nurse=nurse, protocol=protocol, patient=patient)
    visit.__class__.objects.filter(pk=visit.pk).update(status=AppointmentStatus.COMPLETED)
    billing.ledger_charge(patient=patient, by=front_desk, price_item=prices.item("infusion"),
                          appointment=visit)  # fmt: skip
    with pytest.raises(ConflictError):
        billing.ledger_charge(patient=patient, by=front_desk, price_item=prices.item("infusion"),
                              appointment=visit)  # fmt: skip
    other = make_appointment(site=site, nurse=nurse, protocol=protocol)
    with pytest.raises(ValidationError):  # not the patient's
        billing.ledger_charge(patient=patient, by=front_desk, price_item=prices.item("infusion"),
                              appointment=other)  # fmt: skip
    cancelled = scheduling.appointment_transition(
        appointment=other, to_status=AppointmentStatus.CANCELLED, changed_by=front_desk,
        reason="Flu",
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        billing.ledger_charge(
            patient=cancelled.patient, by=front_desk, price_item=prices.item("infusion"),
            appointment=cancelled,
        )  # fmt: skip
    assert "appointment" in refused.value.message_dict
    assert LedgerEntry.objects.count() == 1


def test_a_nurse_takes_no_payment(patient, nurse):
    with pytest.raises(PermissionDenied):
        billing.ledger_payment(patient=patient, by=nurse, amount_usd=D("5"), method="cash")


def test_the_database_refuses_to_change_or_delete_an_entry(patient, front_desk):
    billing.ledger_payment(patient=patient, by=front_desk, amount_usd=D("5"), method="cash")
    for sql in ("UPDATE billing_ledgerentry SET amount_usd = -1",
                "DELETE FROM billing_ledgerentry"):  # fmt: skip
        with pytest.raises(InternalError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)
    assert LedgerEntry.objects.get().amount_usd == D("-5.00")


def test_the_database_refuses_a_payment_stored_positive(patient, front_desk, site):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            patient=patient, location=site, kind="payment", amount_usd=D("5"), method="cash",
            recorded_by=front_desk,
        )  # fmt: skip
