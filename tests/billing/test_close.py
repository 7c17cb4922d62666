"""The daily close: expected takings by method from the ledger (site-day bounds), counts with
a reason for each difference, the closed day refuses payments and refunds (the service with
a 409, the database itself underneath), reopening by a clinic admin only, with a reason."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from billing import services as billing
from billing.models import DailyClose, LedgerEntry
from billing.selectors.closing import expected_by_method
from billing.services import closing
from clinic.errors import ConflictError

D = Decimal
ZERO = {"cash": D("0"), "check": D("0"), "card": D("0"), "hsa": D("0")}


def _takings(patient, front_desk):
    billing.ledger_payment(patient=patient, by=front_desk, amount_usd=D("100.00"), method="cash")
    card = billing.ledger_payment(patient=patient, by=front_desk, amount_usd=D("550.00"),
                                  method="card_terminal", reference="T-1")  # fmt: skip
    billing.ledger_payment(patient=patient, by=front_desk, amount_usd=D("40.00"),
                           method="check", reference="1001")  # fmt: skip
    billing.ledger_refund(payment=card, by=front_desk, amount_usd=D("50.00"), reason="Overpaid")
    billing.ledger_adjust(patient=patient, by=front_desk, amount_usd=D("25.00"),
                          direction="credit", reason="Courtesy")  # fmt: skip


def test_expected_is_payments_less_refunds_by_method_of_the_site_day(site, patient, front_desk):
    _takings(patient, front_desk)
    expected = expected_by_method(site, site.today())
    assert expected == {"cash": D("100.00"), "check": D("40.00"), "card": D("500.00"),
                        "hsa": D("0.00")}  # fmt: skip
    assert expected_by_method(site, site.today() - datetime.timedelta(days=1))["card"] == 0


def test_a_difference_needs_a_reason_and_nothing_is_written(site, patient, front_desk):
    _takings(patient, front_desk)
    counted = {"cash": D("90.00"), "check": D("40.00"), "card": D("500.00"), "hsa": D("0")}
    with pytest.raises(ValidationError) as refused:
        closing.day_close(location=site, day=site.today(), by=front_desk, counted_usd=counted)
    assert list(refused.value.message_dict) == ["cash_reason"]
    assert not DailyClose.objects.exists()
    close = closing.day_close(
        location=site, day=site.today(), by=front_desk, counted_usd=counted,
        reasons={"cash": "Change given twice"},
    )  # fmt: skip
    assert close.lines()[0]["difference"] == D("-10.00") and close.closed_by == front_desk


def test_the_closed_day_refuses_a_payment_and_a_refund(site, patient, front_desk):
    _takings(patient, front_desk)
    payment = LedgerEntry.objects.filter(kind="payment", method="cash").get()
    closing.day_close(location=site, day=site.today(), by=front_desk,
                      counted_usd=expected_by_method(site, site.today()))  # fmt: skip
    before = LedgerEntry.objects.count()
    with pytest.raises(ConflictError):
        billing.ledger_payment(patient=patient, by=front_desk, amount_usd=D("5"), method="cash")
    with pytest.raises(ConflictError):
        billing.ledger_refund(payment=payment, by=front_desk, amount_usd=D("5"), reason="x")
    # A correction is an adjustment (no money moves): still taken.
    billing.ledger_adjust(patient=patient, by=front_desk, amount_usd=D("5"), direction="debit",
                          reason="Correction of the closed day")  # fmt: skip
    assert LedgerEntry.objects.count() == before + 1


def test_the_database_refuses_a_payment_on_a_closed_day(site, patient, front_desk):
    """Underneath the service: a row written straight to the table is refused too."""
    closing.day_close(location=site, day=site.today(), by=front_desk, counted_usd=ZERO)
    with pytest.raises(IntegrityError, match="day is closed"), transaction.atomic():
        LedgerEntry.objects.create(
            patient=patient, location=site, kind="payment", amount_usd=D("-5.00"),
            method="cash", recorded_by=front_desk,
        )  # fmt: skip
    # Another day of the same site is open.
    with connection.cursor() as cursor, transaction.atomic():
        cursor.execute(
            "INSERT INTO billing_ledgerentry (patient_id, location_id, kind, amount_usd, method, "
            "reference, description, reason, recorded_at, recorded_by_id) VALUES "
            "(%s, %s, 'payment', -5, 'cash', '', '', '', %s, %s)",
            [patient.pk, site.pk, timezone.now() + datetime.timedelta(days=1), front_desk.pk],
        )


def test_reopen_is_a_clinic_admins_with_a_reason(site, patient, front_desk, clinic_admin):
    close = closing.day_close(location=site, day=site.today(), by=front_desk, counted_usd=ZERO)
    with pytest.raises(PermissionDenied):
        closing.day_reopen(close=close, by=front_desk, reason="Late payment")
    with pytest.raises(ValidationError):
        closing.day_reopen(close=close, by=clinic_admin, reason=" ")
    closing.day_reopen(close=close, by=clinic_admin, reason="A late card payment")
    billing.ledger_payment(patient=patient, by=front_desk, amount_usd=D("5"), method="cash")
    again = closing.day_close(location=site, day=site.today(), by=front_desk,
                              counted_usd={**ZERO, "cash": D("5.00")})  # fmt: skip
    assert DailyClose.objects.filter(day=site.today()).count() == 2 and again.expected_cash_usd == 5
    with pytest.raises(ConflictError):
        closing.day_close(location=site, day=site.today(), by=front_desk, counted_usd=ZERO)


def test_a_future_day_cannot_be_closed_and_closes_are_append_only(site, front_desk):
    with pytest.raises(ValidationError):
        closing.day_close(location=site, day=site.today() + datetime.timedelta(days=1),
                          by=front_desk, counted_usd=ZERO)  # fmt: skip
    close = closing.day_close(location=site, day=site.today(), by=front_desk, counted_usd=ZERO)
    from django.db import InternalError

    with pytest.raises(InternalError), transaction.atomic():
        DailyClose.objects.filter(pk=close.pk).update(counted_cash_usd=D("1"))


def test_the_desk_closes_on_the_page_and_a_payment_page_then_says_so(
    site, patient, front_desk, login, django_assert_max_num_queries
):
    client = login(front_desk)
    billing.ledger_payment(patient=patient, by=front_desk, amount_usd=D("20"), method="cash")
    url = reverse("billing:close_day", args=[site.pk])
    page = client.get(url)
    assert page.status_code == 200 and "The ledger says $20.00" in page.content.decode()
    data = {"counted_cash_usd": "20.00", "counted_check_usd": "0", "counted_card_usd": "0",
            "counted_hsa_usd": "0"}  # fmt: skip
    assert client.post(url, {**data, "counted_cash_usd": "15"}).status_code == 200
    assert not DailyClose.objects.exists()
    assert client.post(url, data).status_code == 302
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert "no payment or refund can be recorded" in page.content.decode()
    refused = client.post(reverse("billing:ledger_new", args=[patient.pk, "payment"]),
                          {"location": site.pk, "amount_usd": "5", "method": "cash"})  # fmt: skip
    assert refused.status_code == 409 and LedgerEntry.objects.count() == 1
    assert client.get(reverse("billing:closes")).status_code == 200


def test_the_api_closes_and_reopens(site, front_desk, clinic_admin, login):
    desk = login(front_desk)
    body = {"location": site.pk, "day": site.today().isoformat(), "counted_cash_usd": "1.00",
            "counted_check_usd": "0", "counted_card_usd": "0", "counted_hsa_usd": "0"}  # fmt: skip
    refused = desk.post(reverse("daily-close-list"), body, content_type="application/json")
    assert refused.status_code == 400 and "cash_reason" in refused.json()["errors"]
    made = desk.post(reverse("daily-close-list"), {**body, "cash_reason": "Float left in"},
                     content_type="application/json")  # fmt: skip
    assert made.status_code == 201, made.json()
    close = made.json()["id"]
    query = {"site": site.pk, "day": site.today().isoformat()}
    expected = desk.get(reverse("daily-close-expected"), query)
    assert expected.json()["cash_usd"] == "0.00"
    assert (
        desk.post(
            reverse("daily-close-reopen", args=[close]),
            {"reason": "x"},
            content_type="application/json",
        ).status_code
        == 403
    )
    admin = login(clinic_admin)
    reopened = admin.post(reverse("daily-close-reopen", args=[close]), {"reason": "Recount"},
                          content_type="application/json")  # fmt: skip
    assert reopened.status_code == 200 and reopened.json()["reopen"]["reason"] == "Recount"
