"""What the send task does with one claimed row.

Every status change is a conditional UPDATE on the row's current status (the transition
table below), so two copies of a task, a reclaim sweep and a retry cannot both win: the
loser's UPDATE matches nothing and it stops. The attempt is committed as started before
the provider is called; a row already sent is never sent again.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from patients.models import CommunicationConsent
from patients.selectors import communication_consent

from ..messaging import ProviderError, send_email, send_sms
from ..models import (
    AppointmentConfirmation,
    MessageChannel,
    MessageKind,
    MessageStatus,
    OutboundMessage,
    SmsOptOut,
)
from .outbox import REMINDABLE
from .rendering import render

M = MessageStatus
ALLOWED = {
    M.PENDING: {M.SENDING, M.CANCELLED, M.SKIPPED},
    M.SENDING: {M.SENT, M.FAILED, M.PENDING, M.SKIPPED},
    M.FAILED: {M.PENDING, M.SENT},
    M.SENT: set(),
    M.CANCELLED: set(),
    M.SKIPPED: set(),
}


class IllegalMessageTransition(Exception):
    pass


def move(pk: int, from_status: str, to_status: str, **changes) -> bool:
    """Change one row's status if it is still ``from_status``; False when it was not."""
    if to_status not in ALLOWED[from_status]:
        raise IllegalMessageTransition(f"{from_status} -> {to_status}")
    guard = changes.pop("where", {})
    rows = OutboundMessage.objects.filter(pk=pk, status=from_status, **guard)
    return rows.update(status=to_status, **changes) == 1


@dataclass(frozen=True)
class Skip:
    reason: str


@dataclass(frozen=True)
class Defer:
    until: datetime.datetime
    reason: str


def quiet_until(
    local_now: datetime.datetime, start: datetime.time, end: datetime.time
) -> datetime.datetime | None:
    """When quiet hours end, if ``local_now`` falls in them; None when it does not."""
    moment = local_now.time()
    if start == end:
        return None
    if start > end:  # across midnight, e.g. 21:00-08:00
        if moment >= start:
            day = local_now.date() + datetime.timedelta(days=1)
        elif moment < end:
            day = local_now.date()
        else:
            return None
    elif start <= moment < end:
        day = local_now.date()
    else:
        return None
    return datetime.datetime.combine(day, end, tzinfo=local_now.tzinfo)


def _quiet_hours() -> tuple[datetime.time, datetime.time]:
    return (
        datetime.time.fromisoformat(settings.REMINDER_QUIET_HOURS_START),
        datetime.time.fromisoformat(settings.REMINDER_QUIET_HOURS_END),
    )


def recipient_for(message: OutboundMessage) -> str:
    appointment = message.appointment
    if message.kind == MessageKind.ESCORT_ESCORT:
        if message.channel == MessageChannel.SMS:
            return appointment.escort_phone
        escort = appointment.patient.escorts.filter(
            is_active=True, phone=appointment.escort_phone
        ).first()
        return escort.email if escort else ""
    patient = appointment.patient
    return str(patient.phone or "") if message.channel == MessageChannel.SMS else patient.email


def _patient_consent_problem(message: OutboundMessage) -> str:
    channel = message.get_channel_display()
    consent = communication_consent(message.appointment.patient, message.channel)
    if consent is None:
        return f"No {channel} consent on file"
    if not consent.granted:
        if consent.method == CommunicationConsent.Method.SMS_REPLY:
            return f"Opted out by SMS reply (STOP) on {consent.recorded_at:%m/%d/%Y}"
        return f"{channel} consent refused"
    return ""


def _escort_consent_problem(message: OutboundMessage, recipient: str) -> str:
    appointment = message.appointment
    if message.channel == MessageChannel.SMS and SmsOptOut.objects.filter(phone=recipient).exists():
        return "The escort opted out by SMS reply (STOP)"
    latest = (
        AppointmentConfirmation.objects.filter(
            appointment__patient=appointment.patient, escort_phone=appointment.escort_phone
        )
        .order_by("-confirmed_at", "-pk")
        .first()
    )
    if latest is None or not latest.escort_may_be_contacted:
        return "The escort has not agreed to reminders"
    return ""


def send_time_decision(message: OutboundMessage, now: datetime.datetime) -> Skip | Defer | str:
    """Skip (with the reason shown to the front desk), Defer (quiet hours) or the recipient."""
    appointment = message.appointment
    if appointment.status not in REMINDABLE:
        return Skip(f"Appointment {appointment.get_status_display().lower()}")
    if appointment.starts_at <= now:
        return Skip("The appointment has already started")
    recipient = recipient_for(message)
    if not recipient:
        who = "escort" if message.kind == MessageKind.ESCORT_ESCORT else "patient"
        return Skip(f"No {message.get_channel_display()} address for the {who} on file")
    if message.kind == MessageKind.ESCORT_ESCORT:
        problem = _escort_consent_problem(message, recipient)
    else:
        problem = _patient_consent_problem(message)
    if problem:
        return Skip(problem)
    if message.channel == MessageChannel.SMS:
        local_now = now.astimezone(ZoneInfo(appointment.location.time_zone))
        morning = quiet_until(local_now, *_quiet_hours())
        if morning is not None:
            if morning >= appointment.starts_at:
                return Skip("Quiet hours last until the appointment")
            return Defer(morning, f"Quiet hours: moved to {morning:%m/%d %H:%M}")
    return recipient


# What sending reads, and no more: a patient row is wide and most of it is clinical.
MESSAGE_FIELDS = [
    "kind", "channel", "status", "send_at", "attempt_started_at",
    "appointment__status", "appointment__starts_at", "appointment__ends_at",
    "appointment__escort_name", "appointment__escort_phone",
    "appointment__patient__preferred_name", "appointment__patient__legal_first_name",
    "appointment__patient__phone", "appointment__patient__email",
    "appointment__location__name", "appointment__location__address",
    "appointment__location__phone", "appointment__location__time_zone",
]  # fmt: skip


@dataclass(frozen=True)
class Prepared:
    pk: int
    channel: str
    recipient: str
    subject: str
    body: str


def prepare(pk: int) -> Prepared | None:
    """Apply the rules at sending time and mark the attempt started; None: nothing to send."""
    message = (
        OutboundMessage.objects.select_related("appointment__patient", "appointment__location")
        .only(*MESSAGE_FIELDS)
        .filter(pk=pk)
        .first()
    )
    if message is None or message.status != M.SENDING or message.attempt_started_at:
        return None  # sent, cancelled, reclaimed, or another copy of the task is sending it
    now = timezone.now()
    untouched = {"attempt_started_at": None}
    decision = send_time_decision(message, now)
    if isinstance(decision, Skip):
        move(pk, M.SENDING, M.SKIPPED, reason=decision.reason, where=untouched)
        return None
    if isinstance(decision, Defer):
        try:
            with transaction.atomic():
                move(pk, M.SENDING, M.PENDING, send_at=decision.until, claimed_at=None,
                     reason=decision.reason, where=untouched)  # fmt: skip
        except IntegrityError:  # the same reminder is already due that morning
            move(pk, M.SENDING, M.SKIPPED, reason="Already due after quiet hours", where=untouched)
        return None
    rendered = render(message)
    started = OutboundMessage.objects.filter(pk=pk, status=M.SENDING, attempt_started_at=None)
    if not started.update(
        attempt_started_at=now, claimed_at=now, attempts=F("attempts") + 1, recipient=decision,
        subject=rendered.subject, body=rendered.body,
    ):  # fmt: skip
        return None
    return Prepared(pk, message.channel, decision, rendered.subject, rendered.body)


def deliver(prepared: Prepared) -> str:
    reference = f"outbound-{prepared.pk}"
    if prepared.channel == MessageChannel.SMS:
        return send_sms(to=prepared.recipient, body=prepared.body, reference=reference)
    return send_email(
        to=prepared.recipient, subject=prepared.subject, body=prepared.body, reference=reference
    )


def mark_sent(pk: int, provider_id: str) -> None:
    done = {"sent_at": timezone.now(), "provider_id": provider_id, "attempt_started_at": None}
    # FAILED too: a reclaim that gave up on a slow provider call must not hide a real send.
    if not move(pk, M.SENDING, M.SENT, last_error="", reason="", **done):
        move(pk, M.FAILED, M.SENT, reason="", **done)


def mark_attempt_failed(pk: int, error: ProviderError, *, final: bool) -> None:
    text = str(error)[:2000]
    if final or not error.transient:
        attempts = OutboundMessage.objects.filter(pk=pk).values_list("attempts", flat=True).first()
        reason = "Refused by the provider" if not error.transient else "Provider error"
        move(pk, M.SENDING, M.FAILED, attempt_started_at=None, last_error=text,
             reason=f"{reason} after {attempts} attempt(s)")  # fmt: skip
        return
    # Still ours: the retry comes back to a row in "sending" with no attempt in progress.
    OutboundMessage.objects.filter(pk=pk, status=M.SENDING).update(
        attempt_started_at=None, claimed_at=timezone.now(), last_error=text
    )
