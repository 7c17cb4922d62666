"""The writes people make around reminders: a patient confirming through the link, the
front desk retrying a failed message, and a STOP reply."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from clinic.access import require_role
from clinic.models import User
from clinic.roles import DESK
from patients.models import CommunicationConsent, Patient
from patients.selectors import communication_consent
from patients.services import communication_consent_record

from ..models import (
    Appointment,
    AppointmentConfirmation,
    MessageChannel,
    MessageStatus,
    OutboundMessage,
    SmsOptOut,
)
from . import outbox, sending

# Carrier-standard opt-out words (Twilio honours the same list).
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"}


@transaction.atomic
def appointment_confirm_by_patient(
    *,
    appointment: Appointment,
    escort_name: str,
    escort_phone: PhoneNumber | str,
    escort_may_be_contacted: bool,
) -> AppointmentConfirmation:
    """The patient confirms the visit and who collects them, through a reminder's link."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status not in outbox.REMINDABLE:
        raise ValidationError(
            f"This appointment is {appointment.get_status_display().lower()}; "
            "please call the clinic."
        )
    if appointment.starts_at <= timezone.now():
        raise ValidationError("This appointment has already started.")
    escort_name = escort_name.strip()
    if not escort_name:
        raise ValidationError({"escort_name": "Say who will take you home."})
    appointment.escort_name = escort_name
    appointment.escort_phone = escort_phone
    appointment.escort_confirmed = True
    appointment.full_clean(validate_constraints=False)
    appointment.save(update_fields=["escort_name", "escort_phone", "escort_confirmed"])
    confirmation = AppointmentConfirmation(
        appointment=appointment,
        escort_name=escort_name,
        escort_phone=escort_phone,
        escort_may_be_contacted=escort_may_be_contacted,
    )
    confirmation.full_clean()
    confirmation.save()
    return confirmation


@transaction.atomic
def message_retry(*, message: OutboundMessage, retried_by: User) -> OutboundMessage:
    """A failed message goes back to pending; the next sweep (kicked now) sends it."""
    require_role(retried_by, *DESK, doing="retry reminders")
    message = OutboundMessage.objects.select_for_update().get(pk=message.pk)
    if message.status != MessageStatus.FAILED:
        raise ValidationError({"status": "Only a failed message can be retried."})
    sending.move(
        message.pk, MessageStatus.FAILED, MessageStatus.PENDING, claimed_at=None,
        reason=f"Retry asked by {retried_by} at {timezone.localtime():%m/%d %H:%M}",
    )  # fmt: skip
    outbox.schedule_kick()
    message.refresh_from_db()
    return message


def is_stop(text: str) -> bool:
    words = (text or "").strip().upper().split()
    return bool(words) and words[0].strip(".!") in STOP_WORDS


@transaction.atomic
def sms_opt_out_record(*, phone: str) -> list[Patient]:
    """A STOP reply from ``phone``: every patient with that number is opted out of SMS
    (a CommunicationConsent row, method sms_reply, recorded by nobody), and the number
    goes on the opt-out list that escorts' messages respect. Returns the patients.

    Both lists compare the number in E.164, as their phone fields store it."""
    phone = (phone or "").strip()
    if not re.search(r"\d", phone):
        raise ValidationError({"phone": "No phone number in the reply."})
    SmsOptOut.objects.get_or_create(phone=phone)
    patients = list(Patient.objects.filter(phone=phone))
    for patient in patients:
        consent = communication_consent(patient, MessageChannel.SMS)
        if consent is not None and not consent.granted:
            continue
        communication_consent_record(
            patient=patient,
            channel=MessageChannel.SMS,
            granted=False,
            method=CommunicationConsent.Method.SMS_REPLY,
            recorded_by=None,
        )
    return patients
