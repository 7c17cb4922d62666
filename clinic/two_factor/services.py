"""Who needs a second factor, and every write that enrolment, verification and reset make.

A login is a password, then (for a user who must use two-factor or has set it up) a 6-digit
code from an authenticator app or a one-time backup code. The session counts as verified
once ``django_otp.login`` has recorded the device that accepted the code.
"""

import re
from base64 import b32encode

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.dispatch import receiver
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.roles import EDITORS

from ..models import User

# Roles whose accounts reach dosing, orders or the admin: two-factor is not optional.
REQUIRED_FOR_ROLES = EDITORS
# Set at login when the user has a confirmed device, so pages need no query to know it.
HAS_DEVICE_SESSION_KEY = "clinic:otp_has_device"
APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
BACKUP_CODE_COUNT = 10
APP_CODE = re.compile(r"^\d{6}$")


class CodeRefused(Exception):
    """The code was wrong, already used, or came too soon after wrong ones."""


def is_required_for(user: User) -> bool:
    """Physicians, clinic admins and anyone who can open the admin must use two-factor."""
    return bool(user.is_authenticated and (user.is_staff or user.may(*REQUIRED_FOR_ROLES)))


def has_device(user: User) -> bool:
    return user_has_device(user, confirmed=True)


def is_verified(request) -> bool:
    return getattr(request.user, "otp_device", None) is not None


def code_needed(request) -> bool:
    """The logged-in session must still pass the code step (or, without a device, enrol)."""
    user = request.user
    if not user.is_authenticated or is_verified(request):
        return False
    return is_required_for(user) or bool(request.session.get(HAS_DEVICE_SESSION_KEY))


def code_needed_for_token(user: User) -> bool:
    """The API token endpoint asks for a code from everyone who would be asked at login."""
    return is_required_for(user) or has_device(user)


@receiver(user_logged_in, dispatch_uid="clinic.two_factor.start")
def start_two_factor(sender, request, user, **kwargs) -> None:
    """A password login is never verified by an earlier code: the code step comes again."""
    if request is None or not hasattr(request, "session"):
        return
    if getattr(user, "otp_device", None) is None:
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session[HAS_DEVICE_SESSION_KEY] = has_device(user)


def verify_code(user: User, code: str, *, request=None) -> TOTPDevice | StaticDevice:
    """The device that accepts ``code`` (app code or backup code), or CodeRefused.

    A TOTP code is accepted once: django-otp keeps the time step of the last code used
    (``last_t``) and takes only later ones. Each wrong code doubles the wait before the
    next try on that device (1 s, 2 s, 4 s ...) and counts as a failed login for the
    django-axes lockout.
    """
    code = re.sub(r"[\s-]", "", code or "").lower()
    wanted = TOTPDevice if APP_CODE.match(code) else StaticDevice
    throttled = False
    accepted = None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if not isinstance(device, wanted):
                continue
            allowed, _ = device.verify_is_allowed()
            if not allowed:
                throttled = True
                continue
            if device.verify_token(code):
                accepted = device
                break
    if accepted is not None:
        return accepted
    if request is not None:
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=request
        )
    if throttled:
        raise CodeRefused("Too many wrong codes. Wait a few seconds, then try the next code.")
    raise CodeRefused("That code is wrong or was already used. Enter the current code.")


def mark_session_verified(request, device) -> None:
    # A new session key at each rise in privilege (ASVS 3.2.1), then django-otp's record.
    request.session.cycle_key()
    otp_login(request, device)
    request.session[HAS_DEVICE_SESSION_KEY] = True


def pending_app_device(user: User) -> TOTPDevice:
    """The not yet confirmed authenticator of an enrolment (the same one on every reload)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def secret_for_typing(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an app that cannot scan."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    import segno

    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


@transaction.atomic
def enrolment_confirm(*, request, device: TOTPDevice, code: str) -> list[str]:
    """Confirm a pending authenticator with its first code; it replaces any earlier one.

    Returns fresh backup codes (shown once). The session becomes verified.
    """
    if device.confirmed or device.user_id != request.user.pk:
        raise CodeRefused("This set-up has expired. Start again.")
    code = re.sub(r"\s", "", code or "")
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        raise CodeRefused("Too many wrong codes. Wait a few seconds, then try the next code.")
    if not APP_CODE.match(code) or not device.verify_token(code):
        raise CodeRefused("That code does not match. Check the app's clock and try the next code.")
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = backup_codes_issue(user=device.user)
    mark_session_verified(request, device)
    return codes


@transaction.atomic
def backup_codes_issue(*, user: User) -> list[str]:
    """Ten new one-time backup codes; the old ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": BACKUP_DEVICE_NAME, "confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def two_factor_reset(*, user: User) -> None:
    """Remove every device (a lost phone). The user sets up a new one at the next login;
    a session verified by a removed device stops being verified at its next request."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def two_factor_turn_off(*, user: User) -> None:
    if is_required_for(user):
        raise CodeRefused("Two-factor authentication is required for your role.")
    two_factor_reset(user=user)
