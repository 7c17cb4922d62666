"""Two-factor helpers for tests: a confirmed authenticator, its current code, and a test
client session marked verified the way ``django_otp.login`` marks it."""

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.two_factor import services


def confirmed_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test phone", confirmed=True)
    return device


def totp_code(device: TOTPDevice, *, at: float | None = None) -> str:
    """The code the phone shows now (or at ``at``); never one of an already used step, so
    logging the same user in twice within 30 s still works (the server allows one step
    ahead)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    if at is None and totp.t() <= device.last_t:
        totp.time += device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"


def verify_session(client, user) -> None:
    device = confirmed_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[services.HAS_DEVICE_SESSION_KEY] = True
    session.save()


def needs_code(user) -> bool:
    return services.is_required_for(user) or services.has_device(user)
