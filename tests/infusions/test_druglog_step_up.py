"""A waste's witness confirms it on the same tablet, at that moment: their password, and
their code when they have an authenticator. Wrong ones write nothing and count toward the
witness's django-axes lockout; a locked-out witness is refused."""

from decimal import Decimal

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ValidationError
from django.urls import reverse

from infusions.models import EntryKind
from infusions.services import infusion_drug_account
from tests.step_up import tablet_request
from tests.two_factor import confirmed_device, totp_code


def failures(user) -> int:
    attempt = AccessAttempt.objects.filter(username=user.get_username()).first()
    return attempt.failures_since_start if attempt else 0


def waste(order, nurse, witness, **credentials):
    return infusion_drug_account(
        order=order, administered_mg=Decimal("34.9"), wasted_mg=Decimal("0.1"),
        witness=witness, by=nurse, request=tablet_request(), **credentials,
    )  # fmt: skip


def accounted(order) -> bool:
    return order.drug_log.exclude(kind=EntryKind.DRAWN).exists()


def test_the_witness_confirms_with_their_password(drawn, nurse, second_nurse, password):
    given, wasted = waste(drawn, nurse, second_nurse, witness_password=password)
    assert wasted.witness == second_nurse and failures(second_nurse) == 0


def test_a_missing_witness_password_is_asked_for_and_not_counted(drawn, nurse, second_nurse):
    with pytest.raises(ValidationError) as error:
        waste(drawn, nurse, second_nurse)
    assert "witness_password" in error.value.message_dict
    assert not accounted(drawn) and failures(second_nurse) == 0


def test_five_wrong_witness_passwords_lock_the_witness_out(drawn, nurse, second_nurse, password):
    for attempt in range(1, 6):
        with pytest.raises(ValidationError) as error:
            waste(drawn, nurse, second_nurse, witness_password="guess")
        assert failures(second_nurse) == attempt
    assert "now locked" in error.value.message_dict["witness_password"][0]
    with pytest.raises(ValidationError) as error:
        waste(drawn, nurse, second_nurse, witness_password=password)
    assert "locked" in error.value.message_dict["witness_password"][0]
    assert not accounted(drawn) and failures(nurse) == 0


def test_a_witness_with_an_authenticator_also_gives_the_code(drawn, nurse, second_nurse, password):
    device = confirmed_device(second_nurse)
    with pytest.raises(ValidationError) as error:
        waste(drawn, nurse, second_nurse, witness_password=password)
    assert "witness_otp_token" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        waste(drawn, nurse, second_nurse, witness_password=password, witness_otp_token="000000")
    assert "witness_otp_token" in error.value.message_dict
    assert not accounted(drawn) and failures(second_nurse) == 1
    device.throttle_reset()
    waste(
        drawn, nurse, second_nurse, witness_password=password,
        witness_otp_token=totp_code(device),
    )  # fmt: skip
    assert accounted(drawn)


def test_no_waste_needs_no_witness_credentials(drawn, nurse):
    infusion_drug_account(
        order=drawn, administered_mg=Decimal("35"), wasted_mg=Decimal("0"), witness=None,
        by=nurse,
    )  # fmt: skip
    assert accounted(drawn)


def test_the_panel_refuses_a_wrong_witness_password_and_masks_it_in_the_lockout_log(
    drawn, nurse, second_nurse, login
):
    client = login(nurse)
    page = client.get(reverse("infusions:dose_panel", args=[drawn.appointment_id]))
    html = page.content.decode()
    assert 'name="witness_password"' in html and 'type="password"' in html
    assert 'name="witness_otp_token"' in html
    response = client.post(
        reverse("infusions:drug_account", args=[drawn.pk]),
        {"administered_mg": "34.9", "wasted_mg": "0.1", "witness": second_nurse.pk,
         "witness_password": "Secret-guess-1"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "That password is wrong" in response.content.decode()
    assert not accounted(drawn) and failures(second_nurse) == 1
    attempt = AccessAttempt.objects.get(username=second_nurse.get_username())
    assert "Secret-guess-1" not in attempt.post_data


def test_the_api_refuses_a_wrong_witness_password_in_the_common_shape(
    drawn, nurse, second_nurse, client, password
):
    client.force_login(nurse)
    body = {"order": drawn.pk, "administered_mg": "34.9", "wasted_mg": "0.1",
            "witness": second_nurse.pk, "witness_password": "guess"}  # fmt: skip
    url = reverse("drug-log-entry-account")
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"]["witness_password"] == ["That password is wrong."]
    assert not accounted(drawn) and failures(second_nurse) == 1
    response = client.post(
        url, {**body, "witness_password": password}, content_type="application/json"
    )
    assert response.status_code == 201


def test_completing_with_waste_needs_the_witness_and_writes_nothing_without(
    drawn, running, nurse, second_nurse, password
):
    from infusions.models import InfusionStatus
    from infusions.services import infusion_complete
    from tests.chair_clock import advance

    advance(41)
    fields = {
        "record": running, "by": nurse, "administered_mg": Decimal("34.9"),
        "wasted_mg": Decimal("0.1"), "witness": second_nurse, "request": tablet_request(),
    }  # fmt: skip
    with pytest.raises(ValidationError) as error:
        infusion_complete(**fields, witness_password="guess")
    assert "witness_password" in error.value.message_dict
    running.refresh_from_db()
    assert running.status == InfusionStatus.RUNNING and not accounted(drawn)
    assert failures(second_nurse) == 1  # counted although nothing was written
    record = infusion_complete(**fields, witness_password=password)
    assert record.status == InfusionStatus.COMPLETED
    assert drawn.drug_log.get(kind=EntryKind.WASTED).witness == second_nurse


def test_the_api_completes_with_a_witnessed_waste(
    client, drawn, running, nurse, second_nurse, password
):
    from tests.chair_clock import advance

    advance(41)
    client.force_login(nurse)
    url = f"/api/v1/infusion-records/{running.pk}/complete/"
    body = {"administered_mg": "34.9", "wasted_mg": "0.1", "witness": second_nurse.pk}
    refused = client.post(
        url, {**body, "witness_password": "guess"}, content_type="application/json"
    )
    assert refused.status_code == 400 and "witness_password" in refused.json()["errors"]
    done = client.post(url, {**body, "witness_password": password}, content_type="application/json")
    assert done.status_code == 200, done.json()
    assert accounted(drawn)
