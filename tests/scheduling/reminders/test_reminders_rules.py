"""The rules at sending time: SMS consent, quiet hours, and STOP replies through the webhook."""

import datetime
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from twilio.request_validator import RequestValidator

from scheduling.models import MessageStatus, OutboundMessage
from scheduling.reminders import sending

from .helpers import (
    book,
    bookable_site,
    booked,
    consenting_patient,
    local_at,
    make_due,
    send_now,
    sms_files,
)

S = MessageStatus


def test_no_sms_consent_means_skipped_with_the_reason(clinic, protocol, front_desk, file_backends):
    appointment = booked(clinic, protocol, front_desk, sms=None)
    ids = make_due(appointment, channel="sms", kind="appointment")
    send_now(ids)
    assert {(m.status, m.reason) for m in OutboundMessage.objects.filter(pk__in=ids)} == {
        (S.SKIPPED, "No SMS consent on file")
    }
    assert not sms_files(file_backends, str(appointment.patient.phone))


@pytest.mark.parametrize(
    ("now", "expected"),
    [("22:30", "2026-03-11 08:00"), ("03:00", "2026-03-10 08:00"), ("08:00", None),
     ("12:00", None), ("20:59", None), ("21:00", "2026-03-11 08:00")],
)  # fmt: skip
def test_quiet_hours_end_at_eight_the_next_morning(now, expected):
    local = datetime.datetime.fromisoformat(f"2026-03-10 {now}").replace(tzinfo=ZoneInfo("UTC"))
    until = sending.quiet_until(local, datetime.time(21), datetime.time(8))
    assert (until and f"{until:%Y-%m-%d %H:%M}") == expected


def test_an_sms_due_in_quiet_hours_waits_for_the_morning(front_desk, protocol, file_backends):
    site, chair, nurse = bookable_site(hour_now=23)
    patient = consenting_patient(site, nurse)
    appointment = book(patient, site, chair, nurse, protocol, front_desk, local_at(site, 3, 12))
    ids = make_due(appointment, channel="sms", kind="escort_patient")
    send_now(ids)
    for message in OutboundMessage.objects.filter(pk__in=ids):
        assert message.status == S.PENDING and message.reason.startswith("Quiet hours")
        local = message.send_at.astimezone(ZoneInfo(site.time_zone))
        assert (local.hour, local.minute) == (8, 0) and local > timezone.now()
    assert not sms_files(file_backends, str(patient.phone))


WEBHOOK_TOKEN = "twilio-test-token"


def post_sms(client, settings, body: str, sender: str, *, token: str = WEBHOOK_TOKEN):
    settings.TWILIO_AUTH_TOKEN = WEBHOOK_TOKEN
    url = reverse("reminders:sms_webhook")
    params = {"From": sender, "Body": body, "MessageSid": "SM" + uuid.uuid4().hex}
    full_url = settings.REMINDER_LINK_BASE_URL.rstrip("/") + url
    signature = RequestValidator(token).compute_signature(full_url, params)
    return client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signature)


def test_a_signed_stop_reply_opts_the_patient_out_and_later_sms_are_skipped(
    client, settings, clinic, protocol, front_desk, file_backends
):
    appointment = booked(clinic, protocol, front_desk)
    patient = appointment.patient
    response = post_sms(client, settings, "Stop", str(patient.phone))
    assert response.status_code == 200
    consent = patient.communication_consents.filter(channel="sms").first()
    assert (consent.granted, consent.method, consent.recorded_by) == (False, "sms_reply", None)
    ids = make_due(appointment, channel="sms", kind="appointment")
    send_now(ids)
    reasons = {m.reason for m in OutboundMessage.objects.filter(pk__in=ids)}
    assert len(reasons) == 1 and reasons.pop().startswith("Opted out by SMS reply (STOP)")
    assert not sms_files(file_backends, str(patient.phone))


def test_a_reply_with_a_bad_signature_is_refused_and_changes_nothing(
    client, settings, clinic, protocol, front_desk
):
    appointment = booked(clinic, protocol, front_desk)
    response = post_sms(client, settings, "STOP", str(appointment.patient.phone), token="forged")
    assert response.status_code == 403
    unsigned = client.post(reverse("reminders:sms_webhook"), {"From": "+1", "Body": "STOP"})
    assert unsigned.status_code == 403
    assert appointment.patient.communication_consents.get(channel="sms").granted
