"""The independent double-check: two different nurses, blind to each other and to the order,
an exact comparison, a recorded mismatch that blocks, and ``infusion_may_start``."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from infusions.models import DoseCheck
from infusions.services import dose_check_record, infusion_may_start
from tests.infusions.drawing import ensure_drawn
from tests.step_up import sign

DOSE = Decimal("34.9")


def test_two_different_nurses_matching_and_a_signature_let_the_infusion_start(
    signed_order,
    nurse,
    second_nurse,
):
    first = dose_check_record(order=signed_order, nurse=nurse, entered_mg=Decimal("34.90"))
    assert first.matches
    assert infusion_may_start(signed_order)[0] == (
        "Independent double-check: 1 of 2 nurses have entered a matching dose."
    )
    dose_check_record(order=signed_order, nurse=second_nurse, entered_mg=DOSE)
    assert [r[:40] for r in infusion_may_start(signed_order)] == [
        "No drug has been drawn for this order: r"
    ]
    ensure_drawn(signed_order, by=nurse)
    assert infusion_may_start(signed_order) == []


def test_the_same_nurse_checking_twice_is_refused(order, nurse):
    dose_check_record(order=order, nurse=nurse, entered_mg=DOSE)
    with pytest.raises(ValidationError, match="second, different nurse"):
        dose_check_record(order=order, nurse=nurse, entered_mg=DOSE)
    assert DoseCheck.objects.count() == 1


def test_a_physician_is_not_a_checker(order, physician):
    with pytest.raises(PermissionDenied):
        dose_check_record(order=order, nurse=physician, entered_mg=DOSE)


def test_a_mismatch_is_recorded_and_blocks_the_order(
    order,
    nurse,
    second_nurse,
    physician,
    site,
):
    from tests.factories import UserFactory

    dose_check_record(order=order, nurse=nurse, entered_mg=DOSE)
    wrong = dose_check_record(order=order, nurse=second_nurse, entered_mg=Decimal("77"))
    assert not wrong.matches and DoseCheck.objects.get(pk=wrong.pk).entered_mg == Decimal("77")
    sign(order, physician)
    reasons = infusion_may_start(order)
    assert any("did not match" in reason for reason in reasons)
    third = UserFactory(role="nurse", locations=[site])
    with pytest.raises(ValidationError, match="blocked"):
        dose_check_record(order=order, nurse=third, entered_mg=DOSE)


def test_an_entry_off_the_rounding_step_is_refused_without_revealing_the_dose(order, nurse):
    with pytest.raises(ValidationError) as error:
        dose_check_record(order=order, nurse=nurse, entered_mg=Decimal("34.925"))
    assert "0.1 mg" in str(error.value) and "34.9" not in str(error.value)
    assert not DoseCheck.objects.exists()


def test_unsigned_and_unchecked_orders_give_every_reason(order):
    reasons = infusion_may_start(order)
    assert len(reasons) == 3
    assert "not signed" in reasons[0]
    assert "0 of 2" in reasons[1]


def shows_dose(content: bytes) -> bool:
    # Not preceded by a digit, ':' or '.', so a timestamp like 23:29:34.912 never counts.
    return re.search(rb"(?<![\d:.])34\.9", content) is not None


def test_the_second_nurse_sees_neither_the_first_value_nor_the_dose_before_checking(
    order,
    nurse,
    second_nurse,
    client,
):
    dose_check_record(order=order, nurse=nurse, entered_mg=DOSE)
    client.force_login(second_nurse)
    panel = client.get(reverse("infusions:dose_panel", args=[order.appointment_id]))
    assert panel.status_code == 200
    assert not shows_dose(panel.content) and b"0.70" not in panel.content
    assert b"Dose you calculated" in panel.content
    for url in (
        reverse("dose-order-detail", args=[order.pk]),
        reverse("dose-order-list"),
        reverse("dose-check-list") + f"?order={order.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not shows_dose(response.content), url
    # Once she has entered hers, she sees both.
    response = client.post(
        reverse("dose-check-list"), {"order": order.pk, "entered_mg": "34.9"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["matches"] is True
    assert response.json()["order_dose_mg"] == "34.90"
    panel = client.get(reverse("infusions:dose_panel", args=[order.appointment_id]))
    assert shows_dose(panel.content)


def test_the_api_check_response_to_a_mismatching_second_nurse_shows_the_result(
    order,
    nurse,
    second_nurse,
    client,
):
    dose_check_record(order=order, nurse=nurse, entered_mg=DOSE)
    client.force_login(second_nurse)
    response = client.post(reverse("dose-check-list"), {"order": order.pk, "entered_mg": "35"})
    assert response.status_code == 201
    assert response.json()["matches"] is False
    assert response.json()["double_check"] == "mismatch"
