"""Step-up authentication at the moment of a controlled-substance signature (in the spirit
of DEA's EPCS rule, 21 CFR 1311: two-factor at the moment of signing).

- The **signer** of a dose order gives a fresh code from their authenticator (or a backup
  code). Physicians and clinic admins must have one; a signer without a confirmed
  authenticator (a nurse activating a standing order who never set up two-factor) re-enters
  their password instead.
- The **witness** of a waste types their password, and their code too when they have an
  authenticator, on the tablet of the nurse who wastes.

Each wrong password or code counts as a failed login of *that* person for django-axes (the
same signal the login page and ``clinic.two_factor.services.verify_code`` send), so five
lock the account for the cool-off. A blank field is asked for again and not counted.

The callers check everything else first and write only after this passes: these checks run
outside the write's transaction, so the failure counts are kept when the write is refused.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError

from clinic.models import User
from clinic.two_factor import services as two_factor


def _http_request(request):
    """django-axes marks the Django request (DRF wraps it), which its middleware reads."""
    request = getattr(request, "_request", request)
    if request is None:
        raise ValueError("A step-up check needs the request, to count failed attempts.")
    return request


def _cool_off_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def _refuse_if_locked(user: User, field: str, request, *, whose: str) -> None:
    if AxesProxyHandler.is_locked(request, {"username": user.get_username()}):
        raise ValidationError(
            {field: f"{whose} locked after too many wrong passwords or codes. Try again in "
             f"{_cool_off_minutes()} minutes, or ask a clinic admin."}
        )  # fmt: skip


def _counted_failure(user: User, field: str, message: str, request, *, whose: str):
    """The failure has been counted; if it was the one that locks, say so (and keep this
    screen rather than django-axes' lockout page, which would speak of the wrong person)."""
    if getattr(request, "axes_locked_out", False):
        request.axes_locked_out = False
        message = (
            f"{message} {whose} now locked for {_cool_off_minutes()} minutes after too many "
            "wrong attempts."
        )
    return ValidationError({field: message})


def _check_password(user: User, password: str, field: str, request, *, whose: str) -> None:
    if not (password or "").strip():
        raise ValidationError({field: "Enter the password."})
    if user.check_password(password):
        return
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )
    raise _counted_failure(user, field, "That password is wrong.", request, whose=whose)


def _check_code(user: User, code: str, field: str, request, *, whose: str) -> None:
    if not (code or "").strip():
        raise ValidationError({field: "Enter the current code from the authenticator app."})
    try:
        two_factor.verify_code(user, code, request=request)  # counts a wrong code itself
    except two_factor.CodeRefused as refused:
        raise _counted_failure(user, field, str(refused), request, whose=whose) from None


def signer_confirm(*, user: User, otp_token: str = "", password: str = "", request) -> str:
    """The signer proves it is them now: 'code' or 'password' (what was checked), or a
    ValidationError on ``otp_token`` / ``password``."""
    request = _http_request(request)
    has_device = two_factor.has_device(user)
    field = "otp_token" if has_device else "password"
    _refuse_if_locked(user, field, request, whose="Your account is")
    if has_device:
        _check_code(user, otp_token, "otp_token", request, whose="Your account is")
        return "code"
    if two_factor.is_required_for(user):
        raise ValidationError(
            {"otp_token": "Set up two-factor authentication (Security) before signing."}
        )
    _check_password(user, password, "password", request, whose="Your account is")
    return "password"


def witness_confirm(
    *, witness: User, password: str = "", otp_token: str = "", request=None
) -> None:
    """The witness proves it is them, on this screen: their password, and their code when
    they have an authenticator. ValidationError on ``witness_password`` /
    ``witness_otp_token``."""
    if not (password or "").strip():
        raise ValidationError(
            {"witness_password": "The witness enters their own password to confirm the waste."}
        )
    request = _http_request(request)
    whose = f"{witness.get_full_name() or witness.get_username()}'s account is"
    _refuse_if_locked(witness, "witness_password", request, whose=whose)
    _check_password(witness, password, "witness_password", request, whose=whose)
    if two_factor.has_device(witness):
        _check_code(witness, otp_token, "witness_otp_token", request, whose=whose)
