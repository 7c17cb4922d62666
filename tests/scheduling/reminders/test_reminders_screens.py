"""What people see: the confirmation link, the delivery dashboard, the follow-up list and a
patient's messages."""

import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse
from django.utils import timezone

from scheduling.models import MessageStatus, OutboundMessage
from scheduling.reminders.rendering import confirm_token
from scheduling.reminders.selectors import messages_for_patient

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
