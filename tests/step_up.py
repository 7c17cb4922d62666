"""Step-up helpers for tests: the request a signing or a witnessed waste is made in, and the
signer's or witness's credentials as they would type them at that moment."""

from django.test import RequestFactory

from clinic.two_factor import services as two_factor
from tests.factories import TEST_PASSWORD
from tests.two_factor import confirmed_device, totp_code


def tablet_request():
    """A request from the clinic's tablet: django-axes counts failures against it."""
    return RequestFactory().post("/", REMOTE_ADDR="10.0.0.7")


def signer_credentials(user) -> dict:
    """A fresh code for a signer who has (or must have) an authenticator; otherwise the
    password, as ``dose_order_sign`` asks for."""
    if two_factor.is_required_for(user) or two_factor.has_device(user):
        return {"otp_token": totp_code(confirmed_device(user))}
    return {"password": TEST_PASSWORD}


def sign(order, user, **kwargs):
    from infusions.services import dose_order_sign

    return dose_order_sign(
        order=order, signed_by=user, request=tablet_request(), **signer_credentials(user),
        **kwargs,
    )  # fmt: skip


def witness_credentials(witness) -> dict:
    """What the witness types on the tablet: password, and a code if they have a device."""
    credentials = {"witness_password": TEST_PASSWORD, "request": tablet_request()}
    if two_factor.has_device(witness):
        credentials["witness_otp_token"] = totp_code(confirmed_device(witness))
    return credentials
