"""Sending: what goes out and in what words, provider errors, backoff, failure and retry."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from scheduling.messaging import ProviderError, SmsBackend
from scheduling.messaging.sms import FileSmsBackend
from scheduling.models import MessageStatus, MessageTemplate, OutboundMessage
from scheduling.reminders import dispatch
from scheduling.reminders.services import message_retry
from scheduling.tasks import reminder_send, reminder_send_batch

from .helpers import booked, make_due, send_now, sms_files

S = MessageStatus


def test_a_due_sms_goes_out_once_with_no_drug_or_diagnosis_in_it(
    clinic, protocol, front_desk, file_backends
):
    site = clinic[0]
    site.name = "Irvine Ketamine Center"
    site.save()
    appointment = booked(clinic, protocol, front_desk)
    ids = make_due(appointment, channel="sms")
    send_now(ids)
    sent = OutboundMessage.objects.filter(pk__in=ids)
    assert {m.status for m in sent} == {S.SENT, S.SKIPPED}  # the escort has not agreed yet
    bodies = [r["body"] for r in sms_files(file_backends, str(appointment.patient.phone))]
    assert len(bodies) == sent.filter(status=S.SENT).count() >= 3
    for body in bodies:
        assert "ketamine" not in body.lower() and "fibromyalgia" not in body.lower()
        assert "Irvine Center" in body and "/c/" in body
    assert all(m.provider_id.startswith("file-") and m.sent_at for m in sent.filter(status=S.SENT))
    for pk in ids:  # a second copy of the task finds nothing to do
        reminder_send.apply(args=[pk])
    assert len(sms_files(file_backends, str(appointment.patient.phone))) == len(bodies)


def test_email_is_rendered_in_the_sites_local_time(clinic, protocol, front_desk, file_backends):
    from django.core import mail

    appointment = booked(clinic, protocol, front_desk)
    send_now(make_due(appointment, channel="email", kind="appointment"))
    local = appointment.starts_at.astimezone(ZoneInfo(clinic[0].time_zone))
    assert len(mail.outbox) == 2
    assert f"{local:%B} {local.day} at 12:00 PM" in mail.outbox[0].body
    assert mail.outbox[0].to == [appointment.patient.email]


class FailingSms(SmsBackend):
    def send(self, *, to, body, reference):
        raise ProviderError("503 Service Unavailable")


def test_provider_errors_are_retried_then_failed_and_a_retry_sends_again(
    clinic, protocol, front_desk, file_backends, settings
):
    settings.SMS_BACKEND = "tests.scheduling.reminders.test_reminders_sending.FailingSms"
    appointment = booked(clinic, protocol, front_desk)
    two_days_ahead = appointment.starts_at - datetime.timedelta(hours=30)
    [pk] = make_due(appointment, channel="sms", kind="appointment", send_at__lt=two_days_ahead)
    send_now([pk])
    message = OutboundMessage.objects.get(pk=pk)
    assert (message.status, message.attempts) == (S.FAILED, settings.REMINDER_MAX_ATTEMPTS)
    assert "503" in message.last_error and message.reason.startswith("Provider error")
    settings.SMS_BACKEND = "file"
    message_retry(message=message, retried_by=front_desk)
    send_now([pk])
    assert OutboundMessage.objects.get(pk=pk).status == S.SENT


def test_an_sms_template_naming_the_drug_is_refused_in_the_admin():
    template = MessageTemplate.objects.get(kind="appointment", channel="sms")
    template.body = "Your ketamine infusion is {{ starts_at }}"
    with pytest.raises(Exception, match="must not name a drug"):
        template.full_clean()


class ReclaimedWhileSending(SmsBackend):
    """Writes the file, but first the reclaim sweep gives up on the row being sent (a slow
    provider call): the row is "failed, outcome unknown" when the send returns."""

    def send(self, *, to, body, reference):
        pk = int(reference.removeprefix("outbound-"))
        OutboundMessage.objects.filter(pk=pk).update(
            status=S.FAILED, attempt_started_at=None, reason=dispatch.UNKNOWN_OUTCOME
        )
        return FileSmsBackend().send(to=to, body=body, reference=reference)


def test_a_batch_sends_each_row_once_and_marks_each_before_the_next_goes_out(
    clinic, protocol, front_desk, file_backends, settings
):
    appointment = booked(clinic, protocol, front_desk)
    ids = make_due(appointment, kind="appointment")
    claimed = dispatch.claim_due()
    batch = [pk for pk in claimed if pk in ids]
    assert len(batch) == 4
    assert reminder_send_batch(batch) == {"sent": 4}  # 48 h and 24 h, by SMS and email
    rows = OutboundMessage.objects.filter(pk__in=batch)
    assert {m.status for m in rows} == {S.SENT} and {m.channel for m in rows} == {"sms", "email"}
    assert all(m.provider_id and m.sent_at and m.attempt_started_at is None for m in rows)
    files = sms_files(file_backends, str(appointment.patient.phone))
    assert len(files) == 2
    assert reminder_send_batch(batch) == {"nothing to send": 4}  # redelivered: nothing twice
    assert len(sms_files(file_backends, str(appointment.patient.phone))) == 2

    # A row given up on by the reclaim sweep while its provider call was slow is still
    # marked sent, by the next row's step or, last in the batch, on its own.
    settings.SMS_BACKEND = "tests.scheduling.reminders.test_reminders_sending.ReclaimedWhileSending"
    later = booked(clinic, protocol, front_desk, days_ahead=5)
    ids = make_due(later, kind="appointment", channel="sms")
    batch = [pk for pk in dispatch.claim_due() if pk in ids]
    assert reminder_send_batch(batch) == {"sent": 2}
    assert {(m.status, m.reason) for m in OutboundMessage.objects.filter(pk__in=batch)} == {
        (S.SENT, "")
    }


class RefusedSms(SmsBackend):
    def send(self, *, to, body, reference):
        raise ProviderError("21211 Invalid 'To' phone number", transient=False)


def test_a_transient_error_in_a_batch_hands_that_row_alone_to_its_first_retry(
    clinic, protocol, front_desk, file_backends, settings
):
    from scheduling.reminders import delivery

    settings.SMS_BACKEND = "tests.scheduling.reminders.test_reminders_sending.FailingSms"
    appointment = booked(clinic, protocol, front_desk)
    ids = make_due(appointment, kind="appointment", channel="sms")
    batch = [pk for pk in dispatch.claim_due() if pk in ids]
    retries: list[tuple[int, int]] = []
    outcomes = delivery.send_batch(batch, retry_later=lambda pk, s: retries.append((pk, s)))
    assert outcomes == {"retrying": 2}
    assert retries == [(pk, settings.REMINDER_RETRY_BACKOFF_SECONDS) for pk in batch]
    rows = OutboundMessage.objects.filter(pk__in=batch)
    assert {(m.status, m.attempts, m.attempt_started_at) for m in rows} == {(S.SENDING, 1, None)}


def test_the_single_row_path_backs_off_exponentially_then_fails_the_row(
    clinic, protocol, front_desk, file_backends, settings
):
    from scheduling.reminders import delivery

    settings.SMS_BACKEND = "tests.scheduling.reminders.test_reminders_sending.FailingSms"
    settings.REMINDER_MAX_ATTEMPTS = 3
    appointment = booked(clinic, protocol, front_desk)
    [pk] = make_due(appointment, kind="appointment", channel="sms")[:1]
    assert pk in dispatch.claim_due()
    backoff = settings.REMINDER_RETRY_BACKOFF_SECONDS
    for retries in (0, 1):
        with pytest.raises(delivery.RetryLater) as retry:
            delivery.send_one(pk, retries)
        assert retry.value.countdown_seconds == backoff * 2**retries
    assert delivery.send_one(pk, 2) == "failed"
    assert OutboundMessage.objects.get(pk=pk).status == S.FAILED


def test_an_error_no_retry_can_mend_fails_the_row_at_once_in_a_batch(
    clinic, protocol, front_desk, file_backends, settings
):
    from scheduling.reminders import delivery

    settings.SMS_BACKEND = "tests.scheduling.reminders.test_reminders_sending.RefusedSms"
    appointment = booked(clinic, protocol, front_desk)
    ids = make_due(appointment, kind="appointment", channel="sms")
    batch = [pk for pk in dispatch.claim_due() if pk in ids]
    retries: list[tuple[int, int]] = []
    assert delivery.send_batch(batch, retry_later=lambda *a: retries.append(a)) == {"failed": 2}
    assert retries == []
    rows = OutboundMessage.objects.filter(pk__in=batch)
    assert {(m.status, m.attempts) for m in rows} == {(S.FAILED, 1)}
    assert all("21211" in m.last_error for m in rows)
