"""Waiving a charge to review: the desk records, with the reason, that a visit the system
could not charge is not charged. A new row (append-only); the visit leaves the list and the
desk home's count; waiving twice, waiving a charged visit and charging a waived one are
refused, nothing written."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import InternalError, transaction
from django.urls import reverse

from billing.models import ChargeReview, ChargeReviewWaiver, LedgerEntry
from billing.selectors.packages import charges_to_review_for
from billing.services import ledger_charge
from billing.services.charging import charge_completed_infusion, charge_review_waive
from clinic.errors import ConflictError
from infusions.services import infusion_complete
from scheduling.hooks import desk_work
from tests.chair_clock import advance

D = Decimal


@pytest.fixture
def review(running, nurse):
    advance(41)
    infusion_complete(record=running, by=nurse, administered_mg=D("34.9"))  # no price list
    return ChargeReview.objects.get()


def _count(user):
    return {item.key: item for hook in desk_work for item in hook(user)}["charges_to_review"].count


def test_waiving_takes_the_visit_off_the_list_and_the_count(review, front_desk):
    assert _count(front_desk) == 1
    waiver = charge_review_waive(review=review, by=front_desk, reason="  Courtesy: 8 min only ")
    assert (waiver.review, waiver.reason, waiver.waived_by) == (review, "Courtesy: 8 min only",
                                                                 front_desk)  # fmt: skip
    assert not charges_to_review_for(front_desk).exists() and _count(front_desk) == 0
    assert not LedgerEntry.objects.exists()
    with pytest.raises(InternalError), transaction.atomic():  # append-only
        ChargeReviewWaiver.objects.filter(pk=waiver.pk).update(reason="changed")


def test_the_clinic_admin_may_waive_a_nurse_may_not(review, clinic_admin, nurse):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        charge_review_waive(review=review, by=nurse, reason="No")
    assert not ChargeReviewWaiver.objects.exists()
    charge_review_waive(review=review, by=clinic_admin, reason="Goodwill")
    assert ChargeReviewWaiver.objects.count() == 1


def test_the_reason_is_required(review, front_desk):
    with pytest.raises(ValidationError) as refused:
        charge_review_waive(review=review, by=front_desk, reason="   ")
    assert "reason" in refused.value.message_dict
    assert not ChargeReviewWaiver.objects.exists()


def test_waiving_twice_is_refused(review, front_desk):
    charge_review_waive(review=review, by=front_desk, reason="Goodwill")
    with pytest.raises(ConflictError, match="already waived"):
        charge_review_waive(review=review, by=front_desk, reason="Again")
    assert ChargeReviewWaiver.objects.count() == 1


def test_a_charged_visit_cannot_be_waived(review, front_desk, running):
    ledger_charge(patient=running.appointment.patient, by=front_desk, amount_usd=D("500.00"),
                  description="Infusion", appointment=running.appointment)  # fmt: skip
    with pytest.raises(ConflictError, match="already charged"):
        charge_review_waive(review=review, by=front_desk, reason="Goodwill")
    assert not ChargeReviewWaiver.objects.exists()


def test_charging_a_waived_visit_is_refused(review, front_desk, nurse, running, prices):
    charge_review_waive(review=review, by=front_desk, reason="Goodwill")
    with pytest.raises(ConflictError, match="waived"):
        ledger_charge(patient=running.appointment.patient, by=front_desk, amount_usd=D("500.00"),
                      description="Infusion", appointment=running.appointment)  # fmt: skip
    # The completion hook again (a retried task), prices now published: still not charged.
    assert charge_completed_infusion(record=running, by=nurse) is None
    assert not LedgerEntry.objects.filter(appointment=running.appointment).exists()


def test_the_page_waives_with_a_reason(review, front_desk, login, running):
    client = login(front_desk)
    page = client.get(reverse("billing:charges_to_review")).content.decode()
    url = reverse("billing:charge_review_waive", args=[review.pk])
    assert url in page and f'id="waive-reason-{review.pk}"' in page
    missing = client.post(url, {"reason": ""})
    assert missing.status_code == 200 and "This field is required" in missing.content.decode()
    assert not ChargeReviewWaiver.objects.exists()
    done = client.post(url, {"reason": "Goodwill"})
    assert done.status_code == 302 and ChargeReviewWaiver.objects.get().reason == "Goodwill"
    again = client.post(url, {"reason": "Again"})
    assert again.status_code == 409 and "already waived" in again.content.decode()
    assert ChargeReviewWaiver.objects.count() == 1


def test_the_api_waives_with_a_reason(review, front_desk, login):
    client = login(front_desk)
    url = f"/api/v1/charges-to-review/{review.pk}/waive/"
    missing = client.post(url, {}, content_type="application/json")
    assert missing.status_code == 400 and "reason" in missing.json()["errors"]
    assert not ChargeReviewWaiver.objects.exists()
    done = client.post(url, {"reason": "Goodwill"}, content_type="application/json")
    assert done.status_code == 200, done.content
    assert done.json()["review"] == review.pk and done.json()["reason"] == "Goodwill"
    assert client.get("/api/v1/charges-to-review/").json()["results"] == []
    again = client.post(url, {"reason": "Again"}, content_type="application/json")
    assert again.status_code == 409 and ChargeReviewWaiver.objects.count() == 1
