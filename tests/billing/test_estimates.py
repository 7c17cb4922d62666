"""Prices (versioned per site) and Good Faith Estimates: published by clinic admins, issued
for self-pay patients only, totals from the price list, updated as new estimates, given by
print or email; refusals write nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InternalError, connection, transaction

from billing import services as billing
from billing.models import EstimateDelivery, GoodFaithEstimate, PriceList
from clinic.errors import ConflictError
from tests.helpers import book_course


def test_an_estimate_on_request_prices_each_infusion_without_a_package(
    patient, front_desk, prices, site_billing
):
    estimate = billing.estimate_issue(patient=patient, by=front_desk, infusions=4,
                                      consultation=True)  # fmt: skip
    lines = [(line.quantity, line.unit_price_usd, line.amount_usd) for line in estimate.lines.all()]
    assert lines == [(1, Decimal("300.00"), Decimal("300.00")),
                     (4, Decimal("550.00"), Decimal("2200.00"))]  # fmt: skip
    assert estimate.total_usd == Decimal("2500.00")  # 300 + 4 x 550
    assert estimate.dispute_threshold_usd == Decimal("2900.00")
    assert estimate.requested and estimate.npi == "1234567893" and estimate.tin == "12-3456789"


def test_a_package_of_the_courses_size_is_one_line(patient, front_desk, prices, site_billing):
    estimate = billing.estimate_issue(patient=patient, by=front_desk, infusions=8)
    assert [(line.codes, line.amount_usd) for line in estimate.lines.all()] == [
        ("96365, J3490", Decimal("3800.00"))
    ]


def test_booking_a_self_pay_course_issues_its_estimate_with_the_deadline(
    front_desk, shifts, patient, protocol, site, chairs, nurse, prices, site_billing
):
    course = book_course(patient, protocol, site, chairs[0], nurse, front_desk, count=8)
    estimate = GoodFaithEstimate.objects.get(course=course)
    assert estimate.total_usd == Decimal("3800.00") and not estimate.requested
    first = course.appointments.order_by("starts_at").first()
    assert estimate.first_service_on == site.date_of(first.starts_at)
    assert estimate.scheduled_on == site.today()
    assert estimate.due_by is None or estimate.due_by > estimate.scheduled_on


def test_booking_without_prices_books_and_leaves_the_estimate_to_the_desk(
    front_desk, shifts, patient, protocol, site, chairs, nurse
):
    course = book_course(patient, protocol, site, chairs[0], nurse, front_desk, count=8)
    assert course.pk and not GoodFaithEstimate.objects.exists()


def test_an_insured_patient_gets_no_estimate(patient, front_desk, prices, site_billing, coverage):
    billing.payment_choice_record(patient=patient, funding="insurance", by=front_desk)
    with pytest.raises(ValidationError) as refused:
        billing.estimate_issue(patient=patient, by=front_desk, infusions=6)
    assert "patient" in refused.value.message_dict
    assert not GoodFaithEstimate.objects.exists()


def test_an_update_replaces_the_estimate_once(patient, front_desk, prices, site_billing):
    first = billing.estimate_issue(patient=patient, by=front_desk, infusions=6)
    second = billing.estimate_issue(patient=patient, by=front_desk, infusions=8,
                                    supersedes=first, reason="Two more infusions")  # fmt: skip
    assert second.supersedes == first and second.total_usd == Decimal("3800.00")
    with pytest.raises(ConflictError):
        billing.estimate_issue(patient=patient, by=front_desk, infusions=10, supersedes=first,
                               reason="Again")  # fmt: skip
    with pytest.raises(ConflictError):
        billing.estimate_deliver(estimate=first, method="print", by=front_desk)
    assert GoodFaithEstimate.objects.count() == 2


def test_an_emailed_estimate_is_sent_and_recorded(
    patient, front_desk, prices, site_billing, django_capture_on_commit_callbacks
):
    estimate = billing.estimate_issue(patient=patient, by=front_desk, infusions=6)
    patient.email = "maria@example.com"
    patient.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        delivery = billing.estimate_deliver(estimate=estimate, method="email", by=front_desk)
    assert delivery.sent_to == "maria@example.com"
    assert len(mail.outbox) == 1 and "$3000.00" in mail.outbox[0].body
    assert "$400" in mail.outbox[0].body


def test_email_without_an_address_is_refused(patient, front_desk, prices, site_billing):
    estimate = billing.estimate_issue(patient=patient, by=front_desk, infusions=6)
    with pytest.raises(ValidationError):
        billing.estimate_deliver(estimate=estimate, method="email", by=front_desk)
    assert not EstimateDelivery.objects.exists()


def test_prices_cannot_start_in_the_past_or_be_zero(site, clinic_admin, front_desk):
    yesterday = site.today() - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        billing.price_list_publish(
            location=site, effective_from=yesterday, by=clinic_admin,
            prices_usd={"consultation": Decimal("0"), "booster": Decimal("-5")},
        )  # fmt: skip
    assert set(refused.value.message_dict) == {"effective_from", "consultation", "infusion",
                                                "booster"}  # fmt: skip
    with pytest.raises(PermissionDenied):
        billing.price_list_publish(location=site, effective_from=site.today(), by=front_desk,
                                   prices_usd={"consultation": Decimal("1"),
                                               "infusion": Decimal("1")})  # fmt: skip
    assert not PriceList.objects.exists()


def test_a_new_price_list_leaves_an_issued_estimate_as_it_was(
    patient, front_desk, clinic_admin, prices, site_billing, site
):
    estimate = billing.estimate_issue(patient=patient, by=front_desk, infusions=2)
    billing.price_list_publish(
        location=site, effective_from=site.today() + datetime.timedelta(days=1), by=clinic_admin,
        prices_usd={"consultation": Decimal("350.00"), "infusion": Decimal("600.00")},
    )  # fmt: skip
    estimate.refresh_from_db()
    assert estimate.total_usd == Decimal("1100.00") and estimate.price_list == prices
    with pytest.raises(InternalError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE billing_priceitem SET price_usd = 1")
