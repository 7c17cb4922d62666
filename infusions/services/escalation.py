"""Escalation sweep (issue 18): an alert still unacknowledged after the protocol version's
``alert_escalation_minutes`` is sent once, by email, to each physician on duty at the alert's
site (staff have no phone number on file, so no SMS yet; the row has a channel for it).

On duty: an active physician assigned to the site (``User.locations``). The clinic keeps
shifts for nurses only (``NurseShift``); when physician shifts exist, this is where to narrow
the list to those on shift.

The message names the site and the chair and says "alert unacknowledged": no patient name,
no values (as the reminder templates keep PHI out of SMS/email).
"""

import datetime

from django.db import transaction
from django.db.models import DurationField, ExpressionWrapper, F
from django.utils import timezone

from clinic.models import User
from clinic.roles import Role
from scheduling.messaging import ProviderError
from scheduling.messaging.email import send_email
from scheduling.messaging.sms import send_sms

from ..models import Alert, AlertEscalation, EscalationStatus, InfusionStatus

SUBJECT = "Ketamine clinic: alert unacknowledged"
MAX_ATTEMPTS = 3
# An alert older than this is not escalated: on the first run after a deploy, old open
# alerts on records never closed would otherwise page every physician at once.
STALE = datetime.timedelta(hours=12)


def physicians_on_duty(location) -> list[User]:
    return list(
        User.objects.filter(is_active=True, locations=location, groups__name=Role.PHYSICIAN.label)
        .distinct()
        .order_by("pk")
    )


def escalation_body(alert: Alert, minutes: int) -> str:
    appointment = alert.record.appointment
    return (
        f"Ketamine clinic {appointment.location.name}, {appointment.chair.name}: alert "
        f"unacknowledged for {minutes} min. Open the chair screen."
    )


def overdue_alerts(now: datetime.datetime):
    """Open alerts older than their version's escalation delay, on records still open."""
    delay = ExpressionWrapper(
        F("protocol_version__alert_escalation_minutes") * datetime.timedelta(minutes=1),
        output_field=DurationField(),
    )
    return (
        Alert.objects.filter(acknowledgements__isnull=True)
        .exclude(record__status__in=[InfusionStatus.DISCHARGED, InfusionStatus.NOT_GIVEN])
        .annotate(delay=delay)
        .filter(raised_at__lte=now - F("delay"), raised_at__gte=now - STALE)
        .select_related(
            "record__appointment__location", "record__appointment__chair", "protocol_version"
        )  # fmt: skip
    )


@transaction.atomic
def escalation_sweep(*, now: datetime.datetime | None = None) -> int:
    """Write one pending row per overdue alert, physician on duty and channel with an
    address; rows already there stay the only ones (safe to run twice). Returns the count
    of new rows."""
    now = now or timezone.now()
    rows, on_duty = [], {}  # physicians on duty, read once per site
    for alert in overdue_alerts(now):
        body = escalation_body(alert, alert.protocol_version.alert_escalation_minutes)
        location = alert.record.appointment.location
        if location.pk not in on_duty:
            on_duty[location.pk] = physicians_on_duty(location)
        for physician in on_duty[location.pk]:
            # Staff have an email address and no phone on file: email only, for now.
            if physician.email:
                rows.append(AlertEscalation(alert=alert, physician=physician, channel="email",
                                            recipient=physician.email, body=body))  # fmt: skip
    before = AlertEscalation.objects.count()
    AlertEscalation.objects.bulk_create(rows, ignore_conflicts=True)
    return AlertEscalation.objects.count() - before


def escalation_send(*, now: datetime.datetime | None = None) -> int:
    """Send the pending rows, each under a row lock (skip locked: a second copy of the task
    sends other rows or none). Returns the number sent."""
    sent = 0
    while True:
        with transaction.atomic():
            row = (AlertEscalation.objects.select_for_update(skip_locked=True)
                   .filter(status=EscalationStatus.PENDING).order_by("pk").first())  # fmt: skip
            if row is None:
                return sent
            sent += _send_one(row, now or timezone.now())


def _send_one(row: AlertEscalation, now: datetime.datetime) -> int:
    row.attempts += 1
    reference = f"alert-escalation-{row.pk}"
    try:
        if row.channel == "sms":
            row.provider_id = send_sms(to=row.recipient, body=row.body, reference=reference)
        else:
            row.provider_id = send_email(to=row.recipient, subject=SUBJECT, body=row.body,
                                         reference=reference)  # fmt: skip
    except ProviderError as error:
        row.last_error = str(error)
        if row.attempts >= MAX_ATTEMPTS:
            row.status = EscalationStatus.FAILED
        row.save(update_fields=["attempts", "last_error", "status"])
        return 0
    row.status, row.sent_at = EscalationStatus.SENT, now
    row.save(update_fields=["attempts", "provider_id", "status", "sent_at"])
    return 1
