"""Today's reminders at the demo site, sent the way the worker sends them (dev only).

The patients of today's visits gave SMS consent, except every third one (their reminders are
skipped for want of consent, with that reason). The due rows are claimed and sent through
scheduling.reminders (claim_due, prepare, deliver, mark_sent: what the Celery task does) to
the console backend, its output swallowed. One patient's number is refused by the carrier:
the demo plays the provider's refusal through mark_attempt_failed, as the task does on a
ProviderError, so the front desk sees a failed reminder with its reason.
"""

import contextlib
import io

from django.db import transaction

from patients.services import communication_consent_record
from scheduling.messaging import ProviderError
from scheduling.models import MessageChannel, OutboundMessage
from scheduling.reminders import dispatch, sending

REFUSED = "Carrier refused: the number is a landline (demo: a provider's permanent error)."


def consent_for(patient, index, desk) -> None:
    """SMS consent given at registration, except every third patient."""
    if index % 3 != 2:
        communication_consent_record(
            patient=patient, channel="sms", granted=True, method="written", recorded_by=desk
        )


def send_due(patients) -> int:
    """Claim and send the due reminders now; the first SMS of ``patients`` fails."""
    with transaction.atomic():
        ids = dispatch.claim_due(limit=1000)
    refused = (
        OutboundMessage.objects.filter(
            pk__in=ids, appointment__patient__in=patients, channel=MessageChannel.SMS
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    for pk in ids:
        prepared = sending.prepare(pk)
        if prepared is None:
            continue  # skipped (with its reason) or deferred past quiet hours
        if pk == refused:
            sending.mark_attempt_failed(pk, ProviderError(REFUSED, transient=False), final=True)
            continue
        with contextlib.redirect_stdout(io.StringIO()):
            provider_id = sending.deliver(prepared)
        sending.mark_sent(pk, provider_id)
    return len(ids)
