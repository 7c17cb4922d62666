"""Turning an outbox row into words: the template, the site's details in local time, the
signed confirmation link, and the last guard that keeps health words out of an SMS."""

import functools
import re
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from .. import hooks
from ..models import (
    Appointment,
    MessageChannel,
    MessageKind,
    MessageTemplate,
    OutboundMessage,
)
from ..models.reminders import SMS_FORBIDDEN_WORDS
from .defaults import DEFAULT_TEMPLATES

CONFIRM_SALT = "scheduling.reminders.confirm"
LINK = "[[confirm-link]]"
_FORBIDDEN = re.compile(
    r"\s*\b\w*(?:" + "|".join(re.escape(w) for w in SMS_FORBIDDEN_WORDS) + r")\w*\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def confirm_token(appointment: Appointment) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(str(appointment.pk))


_PLACEHOLDER = "PLACEHOLDER"


@functools.cache
def _confirm_url_parts(base_url: str) -> tuple[str, str]:
    """The link around its token, reversed once per process instead of once per message
    (the URLconf does not change while a worker runs)."""
    before, _, after = reverse("reminders:confirm", args=[_PLACEHOLDER]).partition(_PLACEHOLDER)
    return base_url.rstrip("/") + before, after


def confirm_url(appointment: Appointment) -> str:
    before, after = _confirm_url_parts(settings.REMINDER_LINK_BASE_URL)
    return before + confirm_token(appointment) + after


def appointment_from_token(token: str) -> tuple[int | None, bool]:
    """(appointment id, still valid). An expired link still names its appointment, so the
    page can say whom to call; a forged one names nothing."""
    signer = signing.TimestampSigner(salt=CONFIRM_SALT)
    max_age = settings.REMINDER_LINK_MAX_AGE_DAYS * 24 * 3600
    try:
        return int(signer.unsign(token, max_age=max_age)), True
    except signing.SignatureExpired:
        return int(signer.unsign(token)), False
    except (signing.BadSignature, ValueError):
        return None, False


def sms_safe(text: str) -> str:
    """Drop any drug or diagnosis word (a site named after its treatment, say)."""
    return re.sub(r"[ \t]{2,}", " ", _FORBIDDEN.sub("", text)).strip()


def template_for(kind: str, channel: str) -> tuple[str, str]:
    found = MessageTemplate.objects.filter(kind=kind, channel=channel).first()
    if found is not None:
        return found.subject, found.body
    return DEFAULT_TEMPLATES[kind][channel]


# Compiling a template costs more than sending the message; a worker keeps each one for
# TEMPLATE_CACHE_SECONDS, so an edit in the admin reaches every worker within that time.
TEMPLATE_CACHE_SECONDS = 30.0
_compiled: dict[tuple[str, str], tuple[float, Template, Template]] = {}


def compiled_template(kind: str, channel: str) -> tuple[Template, Template]:
    now = time.monotonic()
    cached = _compiled.get((kind, channel))
    if cached is None or now - cached[0] > TEMPLATE_CACHE_SECONDS:
        subject, body = template_for(kind, channel)
        cached = _compiled[(kind, channel)] = (now, Template(subject), Template(body))
    return cached[1], cached[2]


@receiver([post_save, post_delete], sender=MessageTemplate)
def forget_compiled_templates(**kwargs) -> None:
    _compiled.clear()


def render(message: OutboundMessage) -> Rendered:
    hooked = hooks.outbox_kinds.get(message.kind)
    if hooked is not None:  # a higher app's message (outcomes' measures link) words itself
        subject, body = hooked.render(message)
        return Rendered("" if message.channel == MessageChannel.SMS else subject, body)
    appointment = message.appointment
    location, patient = appointment.location, appointment.patient
    context = {
        "patient_name": patient.preferred_name or patient.legal_first_name,
        "escort_name": appointment.escort_name or "there",
        "location_name": location.name,
        "location_address": location.address,
        "location_phone": location.phone,
        "starts_at": appointment.starts_at,
        "pickup_at": appointment.ends_at,
        "confirm_url": LINK,
    }
    subject, body = compiled_template(message.kind, message.channel)
    sms = message.channel == MessageChannel.SMS
    # Dates render in the site's own time zone, whatever the worker's is.
    with timezone.override(ZoneInfo(location.time_zone)):
        text = body.render(Context(context, autoescape=False)).strip()
        if not sms:  # an SMS has no subject: not rendered at all
            title = " ".join(subject.render(Context(context, autoescape=False)).split())
    link = confirm_url(appointment)
    if sms:
        # Redact before the link goes in: a random signature must never be cut.
        return Rendered(subject="", body=sms_safe(text).replace(LINK, link))
    return Rendered(title.replace(LINK, link), text.replace(LINK, link))


def is_for_escort(kind: str) -> bool:
    return kind == MessageKind.ESCORT_ESCORT
