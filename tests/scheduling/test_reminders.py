"""Reminders in one process: the outbox written with the booking, the rules at sending time,
the provider's errors, the confirmation link, the STOP webhook and the screens."""

import datetime
import json
import random
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from twilio.request_validator import RequestValidator

from clinic.roles import Role
from patients.models import CommunicationConsent
from scheduling import services
from scheduling.messaging import ProviderError, SmsBackend
from scheduling.models import (
    AppointmentStatus,
    Chair,
    LocationSchedule,
    MessageStatus,
    MessageTemplate,
    NurseShift,
    OpeningHours,
    OutboundMessage,
    ReminderRule,
)
from scheduling.reminders import dispatch, sending
from scheduling.reminders.defaults import seed_defaults
from scheduling.reminders.rendering import confirm_token
from scheduling.reminders.selectors import messages_for_patient
from scheduling.reminders.services import message_retry
from scheduling.services import SessionRequest
from scheduling.tasks import reminder_send
from tests.factories import LocationFactory, PatientFactory, UserFactory

from .conftest import make_bookable

S = MessageStatus


# --- Helpers, shared with test_reminder_worker -------------------------------------------


def zone_where_it_is(hour: int) -> str:
    """A fixed-offset zone whose local time is now about ``hour``: quiet hours then are
    a choice of the test, not of the time it runs at."""
    offset = (hour - timezone.now().astimezone(datetime.UTC).hour + 12) % 24 - 12
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"  # Etc/GMT-3 is UTC+3


def unique_phone() -> str:
    return f"+1949{random.randint(200, 999)}{random.randint(0, 9999):04d}"  # noqa: S311


def bookable_site(hour_now: int = 12, name: str = "Reminder Site"):
    """A site open every day 06:00-20:00 local where it is now about ``hour_now``, with a
    chair, a nurse on shift for the next week and single-infusion courses allowed."""
    code = f"r-{uuid.uuid4().hex[:8]}"
    site = LocationFactory(
        name=f"{name} {code}", code=code, time_zone=zone_where_it_is(hour_now),
        address="1 Reminder Way, Irvine, CA", phone="+19495550100",
    )  # fmt: skip
    for weekday in range(7):
        OpeningHours.objects.create(
            location=site, weekday=weekday, opens_at=datetime.time(6), closes_at=datetime.time(20)
        )
    LocationSchedule.objects.create(location=site, min_infusions=1, max_infusions=12)
    chair = Chair.objects.create(location=site, name="Chair 1")
    nurse = UserFactory(role=Role.NURSE, locations=[site])
    zone, today = ZoneInfo(site.time_zone), timezone.now().astimezone(ZoneInfo(site.time_zone))
    for offset in range(8):
        day = today.date() + datetime.timedelta(days=offset)
        NurseShift.objects.create(
            nurse=nurse, location=site,
            starts_at=datetime.datetime.combine(day, datetime.time(6), tzinfo=zone),
            ends_at=datetime.datetime.combine(day, datetime.time(20), tzinfo=zone),
        )  # fmt: skip
    return site, chair, nurse


def consenting_patient(site, nurse, *, sms=True, email=True):
    tag = uuid.uuid4().hex[:10]
    patient = make_bookable(
        PatientFactory(home_location=site, phone=unique_phone(), email=f"p-{tag}@test.clinic"),
        nurse,
    )
    for channel, granted in (("sms", sms), ("email", email)):
        if granted is not None:
            CommunicationConsent.objects.create(
                patient=patient, channel=channel, granted=granted, method="written"
            )
    return patient


def local_at(site, days_ahead: int, hour: int) -> datetime.datetime:
    zone = ZoneInfo(site.time_zone)
    day = timezone.now().astimezone(zone).date() + datetime.timedelta(days=days_ahead)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)


def book(patient, site, chair, nurse, protocol, user, starts_at):
    course = services.course_book(
        patient=patient, protocol=protocol, location=site, booked_by=user,
        sessions=[SessionRequest(starts_at, chair, nurse)],
    )  # fmt: skip
    return course.appointments.get()


def make_due(appointment, **filters) -> list[int]:
    rows = OutboundMessage.objects.filter(appointment=appointment, status=S.PENDING, **filters)
    ids = list(rows.values_list("pk", flat=True))
    now = timezone.now()
    for n, pk in enumerate(ids, start=1):  # distinct times: (kind, channel, time) is unique
        OutboundMessage.objects.filter(pk=pk).update(send_at=now - datetime.timedelta(seconds=n))
    return ids


def sms_files(folder, to: str) -> list[dict]:
    records = [json.loads(p.read_text()) for p in Path(folder).glob("*.json")]
    return [r for r in records if r["to"] == to]


# --- Fixtures ----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def default_rules(db):
    seed_defaults(ReminderRule, MessageTemplate)


@pytest.fixture
def clinic(front_desk):
    site, chair, nurse = bookable_site()
    front_desk.locations.add(site)
    return site, chair, nurse


@pytest.fixture
def file_backends(settings, tmp_path):
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.REMINDER_RETRY_BACKOFF_SECONDS = 0
    return tmp_path / "sms"


def booked(clinic, protocol, front_desk, *, days_ahead=3, **consents):
    site, chair, nurse = clinic
    patient = consenting_patient(site, nurse, **consents)
    return book(patient, site, chair, nurse, protocol, front_desk, local_at(site, days_ahead, 12))


def send_now(ids):
    claimed = dispatch.claim_due()
    for pk in ids:
        assert pk in claimed
        reminder_send.apply(args=[pk])


# --- The outbox, written with the booking --------------------------------------------------


def test_booking_writes_every_reminder_in_the_booking_transaction(clinic, protocol, front_desk):
    appointment = booked(clinic, protocol, front_desk)
    rows = {(m.kind, m.channel, round((appointment.starts_at - m.send_at).total_seconds() / 3600))
            for m in appointment.messages.exclude(kind="welcome")}  # fmt: skip
    assert rows == {
        ("appointment", "email", 48), ("appointment", "sms", 48),
        ("appointment", "email", 24), ("appointment", "sms", 24),
        ("escort_patient", "email", 24), ("escort_patient", "sms", 24),
        ("escort_escort", "sms", 24),
    }  # fmt: skip
    assert appointment.messages.filter(kind="welcome").count() == 2
    assert set(appointment.messages.values_list("status", flat=True)) == {S.PENDING}


def test_a_rolled_back_booking_leaves_no_reminder(clinic, protocol, front_desk):
    with pytest.raises(RuntimeError), transaction.atomic():
        booked(clinic, protocol, front_desk)
        assert OutboundMessage.objects.exists()
        raise RuntimeError("the front desk's request failed after booking")
    assert not OutboundMessage.objects.exists()


def test_a_visit_booked_for_tomorrow_gets_one_reminder_of_each_kind_now(
    clinic, protocol, front_desk
):
    appointment = booked(clinic, protocol, front_desk, days_ahead=1)
    reminders = appointment.messages.filter(kind="appointment")
    assert reminders.count() == 2  # email and SMS; the passed 48 h window is dropped
    assert all(m.send_at <= timezone.now() for m in reminders)


def test_rescheduling_cancels_pending_reminders_and_writes_new_ones(clinic, protocol, front_desk):
    appointment = booked(clinic, protocol, front_desk)
    old = set(appointment.messages.exclude(kind="welcome").values_list("pk", flat=True))
    services.appointment_reschedule(
        appointment=appointment, starts_at=appointment.starts_at + datetime.timedelta(days=1),
        changed_by=front_desk,
    )  # fmt: skip
    assert set(OutboundMessage.objects.filter(pk__in=old).values_list("status", flat=True)) == {
        S.CANCELLED
    }
    fresh = appointment.messages.filter(status=S.PENDING).exclude(kind="welcome")
    assert fresh.count() == len(old)
    assert all(m.send_at > timezone.now() + datetime.timedelta(hours=47) for m in fresh[:2])
    assert appointment.messages.filter(kind="welcome", status=S.PENDING).count() == 2


def test_moving_a_visit_away_and_back_writes_fresh_rows(clinic, protocol, front_desk):
    appointment = booked(clinic, protocol, front_desk)
    first = appointment.starts_at
    for when in (first + datetime.timedelta(days=1), first):
        services.appointment_reschedule(
            appointment=appointment, starts_at=when, changed_by=front_desk
        )
    assert appointment.messages.filter(status=S.PENDING).exclude(kind="welcome").count() == 7


def test_cancelling_an_appointment_cancels_its_pending_reminders(clinic, protocol, front_desk):
    appointment = booked(clinic, protocol, front_desk)
    services.appointment_transition(
        appointment=appointment, to_status=AppointmentStatus.CANCELLED, changed_by=front_desk,
        reason="Patient is unwell",
    )  # fmt: skip
    assert set(appointment.messages.values_list("status", flat=True)) == {S.CANCELLED}


# --- Sending: rules at send time ----------------------------------------------------------


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


class FailingSms(SmsBackend):
    def send(self, *, to, body, reference):
        raise ProviderError("503 Service Unavailable")


def test_provider_errors_are_retried_then_failed_and_a_retry_sends_again(
    clinic, protocol, front_desk, file_backends, settings
):
    settings.SMS_BACKEND = "tests.scheduling.test_reminders.FailingSms"
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


def test_a_stuck_claim_is_requeued_but_an_interrupted_send_is_never_repeated(
    clinic, protocol, front_desk
):
    appointment = booked(clinic, protocol, front_desk)
    never_started, interrupted = make_due(appointment, kind="appointment")[:2]
    dispatch.claim_due()
    long_ago = timezone.now() - datetime.timedelta(minutes=11)
    OutboundMessage.objects.filter(pk__in=[never_started, interrupted]).update(claimed_at=long_ago)
    OutboundMessage.objects.filter(pk=interrupted).update(attempt_started_at=long_ago)
    assert dispatch.reclaim_stuck() == (1, 1)
    assert OutboundMessage.objects.get(pk=never_started).status == S.PENDING
    assert OutboundMessage.objects.get(pk=interrupted).status == S.FAILED


def test_an_sms_template_naming_the_drug_is_refused_in_the_admin():
    template = MessageTemplate.objects.get(kind="appointment", channel="sms")
    template.body = "Your ketamine infusion is {{ starts_at }}"
    with pytest.raises(Exception, match="must not name a drug"):
        template.full_clean()


# --- STOP replies through the webhook ------------------------------------------------------

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


# --- The confirmation link ------------------------------------------------------------------


def test_the_patient_confirms_the_visit_and_the_escort_through_the_link(
    client, clinic, protocol, front_desk
):
    appointment = booked(clinic, protocol, front_desk)
    url = reverse("reminders:confirm", args=[confirm_token(appointment)])
    page = client.get(url)
    assert page.status_code == 200 and b"Confirm my visit" in page.content
    response = client.post(
        url,
        {"escort_name": "Jordan Lee", "escort_phone": "+19495550142",
         "escort_may_be_contacted": "on"},
    )  # fmt: skip
    assert response.status_code == 200 and b"confirmed" in response.content
    appointment.refresh_from_db()
    assert appointment.escort_confirmed
    assert (appointment.escort_name, appointment.escort_phone) == ("Jordan Lee", "+19495550142")
    assert appointment.confirmations.get().escort_may_be_contacted


def test_an_expired_or_forged_link_confirms_nothing(client, clinic, protocol, front_desk):
    appointment = booked(clinic, protocol, front_desk)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=8)):
        old_token = confirm_token(appointment)
    expired = client.post(
        reverse("reminders:confirm", args=[old_token]),
        {"escort_name": "X", "escort_phone": "+19495550142"},
    )
    assert expired.status_code == 410 and clinic[0].phone.encode() in expired.content
    forged = client.get(reverse("reminders:confirm", args=[f"{appointment.pk}:abc:def"]))
    assert forged.status_code == 404
    appointment.refresh_from_db()
    assert not appointment.escort_confirmed and not appointment.confirmations.exists()


def test_an_escort_who_agreed_gets_the_pick_up_reminder(
    client, clinic, protocol, front_desk, file_backends
):
    appointment = booked(clinic, protocol, front_desk)
    escort_phone = unique_phone()
    client.post(
        reverse("reminders:confirm", args=[confirm_token(appointment)]),
        {"escort_name": "Sam", "escort_phone": escort_phone, "escort_may_be_contacted": "on"},
    )
    send_now(make_due(appointment, kind="escort_escort"))
    [record] = sms_files(file_backends, escort_phone)
    pickup = appointment.ends_at.astimezone(ZoneInfo(clinic[0].time_zone))
    assert record["body"].startswith("Sam, a reminder to collect")
    assert pickup.strftime("%-I:%M %p") in record["body"]


# --- Screens ----------------------------------------------------------------------------------


def test_the_dashboard_shows_tomorrows_reminders_and_retries_a_failed_one(
    login, clinic, protocol, front_desk, nurse
):
    appointment = booked(clinic, protocol, front_desk, days_ahead=1)
    failed = appointment.messages.filter(channel="sms").first()
    OutboundMessage.objects.filter(pk=failed.pk).update(
        status=S.FAILED, reason="Provider error after 5 attempt(s)"
    )
    client = login(front_desk)
    page = client.get(reverse("reminders:dashboard"))
    assert page.status_code == 200
    assert b"Provider error after 5 attempt(s)" in page.content and b"Retry" in page.content
    response = client.post(reverse("reminders:retry", args=[failed.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"Pending" in response.content
    assert OutboundMessage.objects.get(pk=failed.pk).status == S.PENDING
    assert login(nurse).get(reverse("reminders:dashboard")).status_code == 403


def test_unconfirmed_visits_in_the_next_24_hours_are_on_the_follow_up_list(
    login, front_desk, protocol
):
    site, chair, nurse = bookable_site(hour_now=9)
    front_desk.locations.add(site)
    soon = book(consenting_patient(site, nurse), site, chair, nurse, protocol, front_desk,
                local_at(site, 1, 8))  # fmt: skip
    later = book(consenting_patient(site, nurse), site, chair, nurse, protocol, front_desk,
                 local_at(site, 3, 8))  # fmt: skip
    page = login(front_desk).get(reverse("reminders:follow_up")).content.decode()
    assert soon.patient.display_name in page and later.patient.display_name not in page


def test_a_patients_messages_are_listed_for_the_patient_page(login, clinic, protocol, front_desk):
    appointment = booked(clinic, protocol, front_desk)
    assert messages_for_patient(appointment.patient).count() == 9
    url = reverse("reminders:patient_messages", args=[appointment.patient.pk])
    page = login(front_desk).get(url)
    assert page.status_code == 200 and page.content.count(b"<tr>") == 10
