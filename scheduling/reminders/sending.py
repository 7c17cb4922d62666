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
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils import timezone

from clinic.transitions import Transitions
from patients.models import CommunicationConsent
from patients.selectors import communication_consent

from .. import hooks
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
ALLOWED = Transitions(
    {
        M.PENDING: {M.SENDING, M.CANCELLED, M.SKIPPED},
        M.SENDING: {M.SENT, M.FAILED, M.PENDING, M.SKIPPED},
        M.FAILED: {M.PENDING, M.SENT},
        M.SENT: set(),
        M.CANCELLED: set(),
        M.SKIPPED: set(),
    },
    what="A message",
    labels=M,
)


def move(pk: int, from_status: str, to_status: str, **changes) -> bool:
    """Change one row's status if it is still ``from_status``; False when it was not.

    Every caller names a legal move, so the table's refusal is a programming error here.
    """
    ALLOWED.check(from_status, to_status)
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


# The name _with_details() gives the patient's phone as stored, read past its model field.
RAW_PATIENT_PHONE = "patient_phone_as_stored"


def recipient_for(message: OutboundMessage) -> str:
    appointment = message.appointment
    if message.kind == MessageKind.ESCORT_ESCORT:
        if message.channel == MessageChannel.SMS:
            return str(appointment.escort_phone)
        escort = appointment.patient.escorts.filter(
            is_active=True, phone=appointment.escort_phone
        ).first()
        return escort.email if escort else ""
    patient = appointment.patient
    if message.channel == MessageChannel.SMS:
        # _with_details() reads the number as stored (E.164), not through the model field,
        # which parses and validates it twice per row; str() of a parsed number is the same.
        raw = message.__dict__.get(RAW_PATIENT_PHONE)
        return (raw if raw is not None else str(patient.phone or "")) or ""
    return patient.email


# "Look the consent up": a batch passes the consent it has already read (or None).
LOOK_UP = object()


def _patient_consent_problem(message: OutboundMessage, consent=LOOK_UP) -> str:
    channel = message.get_channel_display()
    if consent is LOOK_UP:
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


def send_time_decision(
    message: OutboundMessage, now: datetime.datetime, consent=LOOK_UP
) -> Skip | Defer | str:
    """Skip (with the reason shown to the front desk), Defer (quiet hours) or the recipient.

    ``consent``: the patient's consent in force for the channel, when the caller has read
    it already (see consents_in_force); looked up here otherwise."""
    appointment = message.appointment
    hooked = hooks.outbox_kinds.get(message.kind)
    if hooked is not None:  # not about the visit: its own app says whether it still goes
        if reason := hooked.still_wanted(message):
            return Skip(reason)
    elif appointment.status not in REMINDABLE:
        return Skip(f"Appointment {appointment.get_status_display().lower()}")
    elif appointment.starts_at <= now:
        return Skip("The appointment has already started")
    recipient = recipient_for(message)
    if not recipient:
        who = "escort" if message.kind == MessageKind.ESCORT_ESCORT else "patient"
        return Skip(f"No {message.get_channel_display()} address for the {who} on file")
    if message.kind == MessageKind.ESCORT_ESCORT:
        problem = _escort_consent_problem(message, recipient)
    else:
        problem = _patient_consent_problem(message, consent)
    if problem:
        return Skip(problem)
    if message.channel == MessageChannel.SMS:
        local_now = now.astimezone(ZoneInfo(appointment.location.time_zone))
        morning = quiet_until(local_now, *_quiet_hours())
        if morning is not None:
            if hooked is None and morning >= appointment.starts_at:
                return Skip("Quiet hours last until the appointment")
            return Defer(morning, f"Quiet hours: moved to {morning:%m/%d %H:%M}")
    return recipient


# What sending reads, and no more: a patient row is wide and most of it is clinical.
# The patient's phone is read raw (RAW_PATIENT_PHONE), not through its model field.
MESSAGE_FIELDS = [
    "kind", "channel", "status", "send_at", "attempt_started_at",
    "appointment__status", "appointment__starts_at", "appointment__ends_at",
    "appointment__escort_name", "appointment__escort_phone",
    "appointment__patient__preferred_name", "appointment__patient__legal_first_name",
    "appointment__patient__email",
    "appointment__location__name", "appointment__location__address",
    "appointment__location__phone", "appointment__location__time_zone",
]  # fmt: skip


# The two UPDATEs of every row sent (sending -> attempt started, sending -> sent), as
# plain SQL: the ORM takes longer to build them than Postgres takes to run them. Both are
# conditional on the row's status exactly like move() (the ALLOWED table) and the ORM
# queries they replace.
_START_ATTEMPT = (
    'UPDATE "scheduling_outboundmessage" SET attempt_started_at = %s, claimed_at = %s, '
    "attempts = attempts + 1, recipient = %s, subject = %s, body = %s "
    "WHERE id = %s AND status = %s AND attempt_started_at IS NULL"
)
_MARK_SENT = (
    "UPDATE \"scheduling_outboundmessage\" SET status = %s, last_error = '', reason = '', "
    "sent_at = %s, provider_id = %s, attempt_started_at = NULL WHERE id = %s AND status = %s"
)
# A batch's usual step: the previous row's "sent" mark and this row's start in one
# statement, so one round trip and one (durable) commit; each UPDATE is the one above.
_MARK_SENT_AND_START = (
    f"WITH marked AS ({_MARK_SENT} RETURNING 1), started AS ({_START_ATTEMPT} RETURNING 1) "  # noqa: S608 - constants
    "SELECT (SELECT count(*) FROM marked), (SELECT count(*) FROM started)"
)


def _execute(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@dataclass(frozen=True)
class Prepared:
    pk: int
    channel: str
    recipient: str
    subject: str
    body: str


def _with_details():
    return (
        OutboundMessage.objects.select_related("appointment__patient", "appointment__location")
        .only(*MESSAGE_FIELDS)
        .annotate(**{RAW_PATIENT_PHONE: Cast("appointment__patient__phone", CharField())})
    )


def load_many(pks: list[int]) -> dict[int, OutboundMessage]:
    """The rows of a batch, with what sending reads, in one query."""
    return {message.pk: message for message in _with_details().filter(pk__in=pks)}


def consents_in_force(messages) -> dict[tuple[int, str], CommunicationConsent]:
    """The latest consent per (patient, channel) for these rows, in one query: what
    patients.selectors.communication_consent returns for each, read in bulk."""
    wanted = [m for m in messages if m.kind != MessageKind.ESCORT_ESCORT]
    if not wanted:
        return {}
    rows = (
        CommunicationConsent.objects.filter(
            patient_id__in={m.appointment.patient_id for m in wanted},
            channel__in={m.channel for m in wanted},
        )
        .order_by("patient_id", "channel", "-recorded_at", "-pk")
        .distinct("patient_id", "channel")
    )
    return {(c.patient_id, c.channel): c for c in rows}


def prepare(pk: int) -> Prepared | None:
    """Apply the rules at sending time and mark the attempt started; None: nothing to send."""
    return prepare_loaded(pk, _with_details().filter(pk=pk).first())


def prepare_loaded(
    pk: int,
    message: OutboundMessage | None,
    consent=LOOK_UP,
    mark: tuple[int, str] | None = None,
) -> Prepared | None:
    """prepare() for a row already read (None: not found). The attempt starts only if the
    row is still ``sending`` with no attempt in progress when it is marked, whatever was
    read before: the conditional UPDATE is what makes the row ours.

    ``mark``: (id, provider id) of a row delivered just before, to be marked sent first;
    it rides in the same statement as this row's start when this row is sent. Either way
    it is marked before this function returns, so before this row goes to the provider.
    """
    if message is None or message.status != M.SENDING or message.attempt_started_at:
        _mark_first(mark)
        return None  # sent, cancelled, reclaimed, or another copy of the task is sending it
    now = timezone.now()
    untouched = {"attempt_started_at": None}
    decision = send_time_decision(message, now, consent)
    if not isinstance(decision, str):
        _mark_first(mark)
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
    start = [now, now, decision, rendered.subject, rendered.body, pk, M.SENDING]
    if mark is None:
        started = _execute(_START_ATTEMPT, start)
    else:
        with connection.cursor() as cursor:
            cursor.execute(_MARK_SENT_AND_START, [M.SENT, now, mark[1], mark[0], M.SENDING, *start])
            marked, started = cursor.fetchone()
        if not marked:  # no longer "sending" (reclaimed as failed): mark_sent's other case
            mark_sent(*mark)
    if not started:
        return None
    return Prepared(pk, message.channel, decision, rendered.subject, rendered.body)


def _mark_first(mark: tuple[int, str] | None) -> None:
    if mark is not None:
        mark_sent(*mark)


def deliver(prepared: Prepared) -> str:
    reference = f"outbound-{prepared.pk}"
    if prepared.channel == MessageChannel.SMS:
        return send_sms(to=prepared.recipient, body=prepared.body, reference=reference)
    return send_email(
        to=prepared.recipient, subject=prepared.subject, body=prepared.body, reference=reference
    )


def mark_sent(pk: int, provider_id: str) -> None:
    now = timezone.now()
    if _execute(_MARK_SENT, [M.SENT, now, provider_id, pk, M.SENDING]):  # sending -> sent
        return
    # FAILED too: a reclaim that gave up on a slow provider call must not hide a real send.
    done = {"sent_at": now, "provider_id": provider_id, "attempt_started_at": None}
    move(pk, M.FAILED, M.SENT, reason="", **done)


def mark_sent_async(pk: int, provider_id: str) -> None:
    """mark_sent() in a transaction of its own that does not wait for the disk.

    ``synchronous_commit = off`` for this transaction only: Postgres answers before the
    WAL is flushed. If Postgres itself crashes in the next fraction of a second the mark
    is lost, and the row is left ``sending`` with its attempt started; the reclaim sweep
    then makes it "failed, outcome unknown" for a person to check. It is never sent a
    second time: that needs the *start* of the attempt to be lost, and that commit stays
    durable. Inside a caller's transaction the caller's commit decides, so no change.
    """
    if connection.in_atomic_block:
        mark_sent(pk, provider_id)
        return
    with transaction.atomic():
        _execute("SET LOCAL synchronous_commit = off", [])
        mark_sent(pk, provider_id)


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
