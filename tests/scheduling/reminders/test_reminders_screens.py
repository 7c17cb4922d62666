"""What people see: the confirmation link, the delivery dashboard, the follow-up list and a
patient's messages."""

import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.roles import Role
from scheduling.models import MessageStatus, OutboundMessage
from scheduling.reminders.rendering import confirm_token
from scheduling.reminders.selectors import messages_by_visit
from tests.factories import UserFactory

from .helpers import (
    book,
    bookable_site,
    booked,
    consenting_patient,
    local_at,
    make_due,
    send_now,
    sms_files,
    unique_phone,
)

S = MessageStatus


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
    assert expired.status_code == 410 and str(clinic[0].phone).encode() in expired.content
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
    [visit] = messages_by_visit(appointment.patient)
    assert visit.appointment == appointment and len(visit.messages) == 9
    url = reverse("reminders:patient_messages", args=[appointment.patient.pk])
    page = login(front_desk).get(url)
    assert page.status_code == 200 and page.content.count(b"<tr>") == 10


def test_the_patient_pages_courses_tab_loads_the_message_history(
    login, clinic, protocol, front_desk
):
    patient = booked(clinic, protocol, front_desk).patient
    page = login(front_desk).get(reverse("patients:detail", args=[patient.pk]) + "?tab=courses")
    url = reverse("reminders:patient_messages", args=[patient.pk])
    assert page.status_code == 200 and f'hx-get="{url}"' in page.content.decode()


def test_the_message_history_shows_each_outcome_with_its_reason_in_a_few_queries(
    login, clinic, protocol, front_desk
):
    appointment = booked(clinic, protocol, front_desk)
    sent, failed, skipped = appointment.messages.filter(channel="sms").order_by("pk")[:3]
    now = timezone.now()
    OutboundMessage.objects.filter(pk=sent.pk).update(
        status=S.SENT, sent_at=now, recipient="+19495550123", attempts=1
    )
    OutboundMessage.objects.filter(pk=failed.pk).update(
        status=S.FAILED, attempts=5, reason="Provider error after 5 attempt(s)",
        last_error="503 Service Unavailable",
    )  # fmt: skip
    OutboundMessage.objects.filter(pk=skipped.pk).update(
        status=S.SKIPPED, reason="No SMS consent on file"
    )
    client = login(front_desk)
    url = reverse("reminders:patient_messages", args=[appointment.patient.pk])
    with CaptureQueriesContext(connection) as nine:
        page = client.get(url).content.decode()
    for text in ("Sent", "+19495550123", "Failed", "after 5 attempts",
                 "Provider error after 5 attempt(s)", "503 Service Unavailable",
                 "Skipped", "No SMS consent on file", "Pending"):  # fmt: skip
        assert text in page, text
    assert page.count('class="badge ok"') == 1 and page.count('class="badge danger"') == 1
    # A second visit doubles the rows, not the queries (its course booked once the first
    # is over: one course at a time).
    site, chair, nurse = clinic
    type(appointment).objects.filter(pk=appointment.pk).update(status="completed")
    book(appointment.patient, site, chair, nurse, protocol, front_desk, local_at(site, 5, 12))
    with CaptureQueriesContext(connection) as eighteen:
        page = client.get(url).content.decode()
    assert page.count("<tr>") == 20  # two visits, each its own table of 9
    assert page.count('class="visit-head"') == 2
    assert len(eighteen) == len(nine) <= 8


def test_a_banner_says_when_a_channel_has_no_consent_with_the_button_to_record_it(
    login, clinic, protocol, front_desk
):
    from patients.services import communication_consent_record

    patient = booked(clinic, protocol, front_desk).patient
    url = reverse("reminders:patient_messages", args=[patient.pk])
    record = reverse("patients:communication_consent", args=[patient.pk])
    client = login(front_desk)
    page = client.get(url).content.decode()
    assert "No SMS consent" not in page and "No Email consent" not in page
    communication_consent_record(
        patient=patient, recorded_by=front_desk, channel="email", granted=False, method="verbal"
    )
    page = client.get(url).content.decode()
    assert "No Email consent (refused" in page and "no Email reminders will be sent" in page
    assert "No SMS consent" not in page and f'href="{record}"' in page
    never = booked(clinic, protocol, front_desk, days_ahead=4, sms=None).patient
    page = client.get(reverse("reminders:patient_messages", args=[never.pk])).content.decode()
    assert "No SMS consent on file" in page and "No Email consent" not in page


def test_the_message_history_is_for_staff_of_the_patients_site(
    client, login, clinic, protocol, front_desk, other_site
):
    patient = booked(clinic, protocol, front_desk).patient
    url = reverse("reminders:patient_messages", args=[patient.pk])
    assert "/accounts/login/" in client.get(url)["Location"]
    for role in (Role.NURSE, Role.PHYSICIAN, Role.CLINIC_ADMIN):
        colleague = UserFactory(role=role, locations=[clinic[0]])
        assert login(colleague).get(url).status_code == 200, role
    elsewhere = UserFactory(role=Role.FRONT_DESK, locations=[other_site])
    assert login(elsewhere).get(url).status_code == 404
    assert patient.display_name not in login(elsewhere).get(url).content.decode()
