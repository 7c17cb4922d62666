"""Signing a dose order needs a second factor at that moment (EPCS-style step-up): a fresh
code from the signer's authenticator, or the password of a signer without one. Wrong ones
are refused, counted toward django-axes' lockout, and sign nothing."""

from decimal import Decimal

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ValidationError
from django.urls import reverse

from infusions.models import DoseOrder, DoseOrderOverride, OrderStatus, SignedAs
from infusions.services import dose_order_create, dose_order_sign, protocol_revise
from tests.helpers import make_appointment, weigh
from tests.step_up import tablet_request
from tests.two_factor import confirmed_device, totp_code


def status(order):
    return DoseOrder.objects.with_status().get(pk=order.pk).status


def failures(user) -> int:
    attempt = AccessAttempt.objects.filter(username=user.get_username()).first()
    return attempt.failures_since_start if attempt else 0


def sign_with(order, user, **credentials):
    return dose_order_sign(order=order, signed_by=user, request=tablet_request(), **credentials)


def second_order(site, nurse, protocol):
    other = make_appointment(site=site, nurse=nurse, protocol=protocol)
    return dose_order_create(
        appointment=other, weight=weigh(other, nurse, "70"), vial_mg_per_ml=Decimal("50"),
        created_by=nurse,
    )  # fmt: skip


def test_a_physician_signs_with_the_current_code(order, physician):
    sign_with(order, physician, otp_token=totp_code(confirmed_device(physician)))
    assert status(order) == OrderStatus.SIGNED
    signature = DoseOrder.objects.get(pk=order.pk).signature
    assert signature.signed_as == SignedAs.PHYSICIAN and signature.confirmed_with == "code"


def test_a_used_code_cannot_sign_a_second_order(order, physician, site, nurse, protocol):
    code = totp_code(confirmed_device(physician))
    sign_with(order, physician, otp_token=code)
    other = second_order(site, nurse, protocol)
    with pytest.raises(ValidationError) as error:
        sign_with(other, physician, otp_token=code)
    assert "already used" in error.value.message_dict["otp_token"][0]
    assert status(other) == OrderStatus.UNSIGNED


def test_a_wrong_code_signs_nothing_and_counts_toward_the_lockout(order, physician):
    device = confirmed_device(physician)
    right = totp_code(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    with pytest.raises(ValidationError) as error:
        sign_with(order, physician, otp_token=wrong)
    assert "otp_token" in error.value.message_dict
    assert status(order) == OrderStatus.UNSIGNED
    assert failures(physician) == 1


def test_a_missing_code_is_asked_for_and_not_counted(order, physician):
    confirmed_device(physician)
    with pytest.raises(ValidationError) as error:
        sign_with(order, physician, otp_token="  ")
    assert "Enter the current code" in error.value.message_dict["otp_token"][0]
    assert status(order) == OrderStatus.UNSIGNED and failures(physician) == 0


def test_a_wrong_code_does_not_record_the_override_given_with_it(soft_order, physician):
    confirmed_device(physician)
    with pytest.raises(ValidationError):
        sign_with(soft_order, physician, otp_token="000000", override_reason="Tolerated 65 mg.")
    assert not DoseOrderOverride.objects.filter(order=soft_order).exists()
    assert status(soft_order) == OrderStatus.UNSIGNED


def test_the_code_is_not_spent_when_the_order_could_not_be_signed(soft_order, physician):
    device = confirmed_device(physician)
    code = totp_code(device)
    with pytest.raises(ValidationError) as error:
        sign_with(soft_order, physician, otp_token=code)  # no soft-limit reason
    assert "override_reason" in error.value.message_dict
    sign_with(soft_order, physician, otp_token=code, override_reason="Tolerated 65 mg.")
    assert status(soft_order) == OrderStatus.SIGNED


def test_five_wrong_codes_lock_the_signer_out(order, physician):
    confirmed_device(physician)
    for _ in range(5):
        with pytest.raises(ValidationError):
            sign_with(order, physician, otp_token="000000")
    device = confirmed_device(physician)
    device.throttling_failure_count = 0  # the device's own back-off aside: the lockout holds
    device.save()
    with pytest.raises(ValidationError) as error:
        sign_with(order, physician, otp_token=totp_code(device))
    assert "locked" in error.value.message_dict["otp_token"][0]
    assert status(order) == OrderStatus.UNSIGNED


@pytest.fixture
def soft_order(appointment, nurse):
    return dose_order_create(
        appointment=appointment, weight=weigh(appointment, nurse, "130"),
        vial_mg_per_ml=Decimal("50"), created_by=nurse,
    )  # fmt: skip


@pytest.fixture
def standing_order(site, nurse, physician, protocol):
    protocol_revise(
        protocol=protocol, changed_by=physician, change_note="Standing order", standing_order=True
    )
    return second_order(site, nurse, protocol)


def test_a_nurse_without_an_authenticator_activates_a_standing_order_with_her_password(
    standing_order, nurse, password
):
    with pytest.raises(ValidationError) as error:
        sign_with(standing_order, nurse, password="not-my-password")
    assert "wrong" in error.value.message_dict["password"][0]
    assert status(standing_order) == OrderStatus.UNSIGNED and failures(nurse) == 1
    sign_with(standing_order, nurse, password=password)
    signature = DoseOrder.objects.get(pk=standing_order.pk).signature
    assert signature.signed_as == SignedAs.STANDING_ORDER and signature.by == nurse
    assert signature.confirmed_with == "password"


def test_a_nurse_with_an_authenticator_activates_with_her_code_not_her_password(
    standing_order, nurse, password
):
    device = confirmed_device(nurse)
    with pytest.raises(ValidationError) as error:
        sign_with(standing_order, nurse, password=password)
    assert "otp_token" in error.value.message_dict
    sign_with(standing_order, nurse, otp_token=totp_code(device))
    assert status(standing_order) == OrderStatus.SIGNED


# --- The page and the API ------------------------------------------------------------------


def test_the_panel_asks_the_physician_for_a_code_in_a_large_unremembered_field(
    order, physician, login
):
    page = login(physician).get(reverse("infusions:dose_panel", args=[order.appointment_id]))
    html = page.content.decode()
    assert 'name="otp_token"' in html and 'autocomplete="off"' in html
    assert 'inputmode="numeric"' in html and "code-input" in html
    assert 'name="password"' not in html


def test_the_panel_refuses_a_wrong_code_with_a_field_message(order, physician, login):
    client = login(physician)
    response = client.post(
        reverse("infusions:order_sign", args=[order.pk]), {"otp_token": "000000"}
    )
    assert response.status_code == 400
    assert "That code is wrong" in response.content.decode()
    assert status(order) == OrderStatus.UNSIGNED and failures(physician) == 1
    attempt = AccessAttempt.objects.get(username=physician.get_username())
    assert "000000" not in attempt.post_data  # masked like a password


def test_the_panel_asks_a_nurse_without_an_authenticator_for_her_password(
    standing_order, nurse, login, password
):
    client = login(nurse)
    page = client.get(reverse("infusions:dose_panel", args=[standing_order.appointment_id]))
    assert 'type="password"' in page.content.decode()
    response = client.post(
        reverse("infusions:order_sign", args=[standing_order.pk]), {"password": password}
    )
    assert response.status_code == 302
    assert status(standing_order) == OrderStatus.SIGNED


def test_the_api_needs_otp_token_and_answers_in_the_common_error_shape(order, physician, client):
    client.force_login(physician)
    url = reverse("dose-order-sign", args=[order.pk])
    missing = client.post(url, {}, content_type="application/json")
    assert missing.status_code == 400 and "otp_token" in missing.json()["errors"]
    wrong = client.post(url, {"otp_token": "000000"}, content_type="application/json")
    assert wrong.status_code == 400
    assert wrong.json()["errors"]["otp_token"][0].startswith("That code is wrong")
    assert status(order) == OrderStatus.UNSIGNED and failures(physician) == 1
    device = confirmed_device(physician)
    device.throttle_reset()  # the 1 s back-off after a wrong code has passed
    code = totp_code(device)
    signed = client.post(url, {"otp_token": code}, content_type="application/json")
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    order2 = client.post(url, {"otp_token": code}, content_type="application/json")
    assert order2.status_code == 400  # already signed (checked before the code)


def test_the_openapi_schema_documents_the_step_up_fields(client, physician):
    client.force_login(physician)
    schemas = client.get(reverse("api-schema") + "?format=json").json()["components"]["schemas"]

    def properties(name):
        return (schemas.get(f"{name}Request") or schemas[name])["properties"]

    assert {"otp_token", "password"} <= set(properties("SignInput"))
    assert {"witness_password", "witness_otp_token"} <= set(properties("AccountInput"))
