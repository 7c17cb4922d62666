"""A measures link goes out through the reminder outbox (consent, STOP, quiet hours apply),
worded in the patient's language; the sweep sends each due set once; and the API."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from outcomes.models import PatientLink
from outcomes.sending import render, send_due_links
from outcomes.services import link_create, link_request_new, link_revoke
from outcomes.tokens import link_url
from patients.services import communication_consent_record
from scheduling.models import MessageKind, OutboundMessage
from scheduling.models.reminders import SMS_FORBIDDEN_WORDS
from scheduling.reminders.outbox import cancel_pending
from scheduling.reminders.sending import Defer, Skip, send_time_decision
from scheduling.services import course_cancel_remaining
from tests.factories import LocationFactory, UserFactory
from tests.helpers import make_appointment

# Quiet hours (21:00-08:00 at the site) would defer every send.
pytestmark = pytest.mark.usefixtures("daytime")


@pytest.fixture
def visit(site, nurse, protocol, front_desk):
    visit = make_appointment(
        site=site, nurse=nurse, protocol=protocol,
        starts_at=timezone.now() + datetime.timedelta(hours=2),
    )  # fmt: skip
    patient = visit.patient
    patient.phone, patient.email = "+19495550123", "pat@test.clinic"
    patient.save()
    for channel in ("sms", "email"):
        communication_consent_record(
            patient=patient, channel=channel, granted=True, method="verbal",
            recorded_by=front_desk,
        )  # fmt: skip
    return visit


def messages_of(course):
    return OutboundMessage.objects.filter(kind=MessageKind.MEASURES, appointment__course=course)


def test_a_link_goes_out_by_sms_and_email_in_the_patients_language(visit, front_desk):
    visit.patient.preferred_language = "Spanish"
    visit.patient.save()
    link = link_create(course=visit.course, by=front_desk)
    sms, email = sorted(messages_of(visit.course), key=lambda m: m.channel, reverse=True)
    assert (sms.channel, email.channel) == ("sms", "email")
    _, text = render(sms)
    assert link_url(link) in text and "responda unas preguntas" in text
    assert not any(word in text.lower() for word in SMS_FORBIDDEN_WORDS)
    assert visit.patient.legal_last_name not in text
    subject, body = render(email)
    assert subject == "Unas preguntas de su clínica"
    assert link_url(link) in body and "fecha de nacimiento" in body


def test_the_outbox_rules_apply_consent_stop_and_quiet_hours(visit, front_desk):
    link = link_create(course=visit.course, by=front_desk)
    sms = messages_of(visit.course).get(channel="sms")
    assert send_time_decision(sms, timezone.now()) == "+19495550123"
    zone = ZoneInfo(visit.location.time_zone)
    night = datetime.datetime.combine(timezone.localdate(), datetime.time(23, 30), tzinfo=zone)
    assert isinstance(send_time_decision(sms, night), Defer)
    communication_consent_record(
        patient=visit.patient, channel="sms", granted=False, method="sms_reply", recorded_by=None
    )
    decision = send_time_decision(sms, timezone.now())
    assert isinstance(decision, Skip) and "STOP" in decision.reason
    link_revoke(link=link, by=front_desk)
    email = messages_of(visit.course).get(channel="email")
    assert send_time_decision(email, timezone.now()) == Skip("The measures link is revoked")


def test_the_sweep_sends_each_due_set_once(visit):
    assert send_due_links() == 1
    assert send_due_links() == 0  # the link is open
    link = PatientLink.objects.get()
    assert link.created_by is None and messages_of(visit.course).count() == 2
    PatientLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
    assert send_due_links() == 0  # the same due set, unanswered: not sent again
    link_request_new(link=link)
    assert send_due_links() == 1  # the patient asked for a new one
    assert send_due_links() == 0
    assert PatientLink.objects.live().count() == 1


def test_moving_the_visit_leaves_the_link_message_and_cancelling_the_course_stops_it(
    visit, front_desk
):
    link_create(course=visit.course, by=front_desk)
    cancel_pending(visit, "Rescheduled to 12/07 10:00", keep_welcome=True)  # what a move does
    sms = messages_of(visit.course).get(channel="sms")
    assert sms.status == "pending"  # the visit's own reminders were cancelled, not this
    assert send_time_decision(sms, timezone.now()) == "+19495550123"
    course_cancel_remaining(course=visit.course, changed_by=front_desk, reason="Moved away")
    sms.refresh_from_db()
    assert sms.status == "pending"
    assert send_time_decision(sms, timezone.now()) == Skip("The course is cancelled")


# --- API ---------------------------------------------------------------------------------


JSON = "application/json"


def test_the_api_makes_lists_resends_and_revokes_links(login, front_desk, visit):
    client = login(front_desk)
    made = client.post("/api/v1/patient-links/", {"course": visit.course_id}, content_type=JSON)
    assert made.status_code == 201, made.content
    assert made.json()["state"] == "live" and "/outcomes/answer/" in made.json()["url"]
    listed = client.get(f"/api/v1/patient-links/?patient={visit.patient_id}")
    assert [row["id"] for row in listed.json()["results"]] == [made.json()["id"]]
    again = client.post(f"/api/v1/patient-links/{made.json()['id']}/resend/")
    assert again.status_code == 201
    revoke = f"/api/v1/patient-links/{again.json()['id']}/revoke/"
    revoked = client.post(revoke, {"reason": "Wrong"}, content_type=JSON)
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    twice = client.post(revoke)
    assert twice.status_code == 400


def test_the_api_refuses_a_course_elsewhere_and_a_course_with_nothing_due(
    login, client, visit, site, nurse, protocol
):
    elsewhere = UserFactory(username="desk-sd", role="front_desk", locations=[LocationFactory()])
    response = login(elsewhere).post(
        "/api/v1/patient-links/", {"course": visit.course_id}, content_type=JSON
    )
    assert response.status_code == 400 and "course" in response.json()["errors"]
    later = make_appointment(
        site=site, nurse=nurse, protocol=protocol,
        starts_at=timezone.now() + datetime.timedelta(days=90),
    )  # fmt: skip
    desk = UserFactory(username="desk-2", role="front_desk", locations=[site])
    response = login(desk).post(
        "/api/v1/patient-links/", {"course": later.course_id}, content_type=JSON
    )
    assert response.status_code == 400 and "course" in response.json()["errors"]
    assert not PatientLink.objects.filter(course=later.course).exists()


def test_the_courses_tab_offers_the_link_and_shows_its_state(login, front_desk, visit):
    client = login(front_desk)
    url = reverse("outcomes:patient_due_measures", args=[visit.patient_id])
    assert "Send the open measures as a link" in client.get(url).content.decode()
    response = client.post(reverse("outcomes:link_send", args=[visit.course_id]))
    assert response.status_code == 302
    body = client.get(url).content.decode()
    assert "Link live" in body and "Revoke" in body
    assert "Send the open measures as a link" not in body  # resend replaces the open one


def test_the_check_in_page_lists_the_measures_not_answered_from_home(login, nurse, visit):
    response = login(nurse).get(reverse("infusions:chair", args=[visit.pk]))
    body = response.content.decode()
    assert "Not answered from home" in body
    assert "Record FIQR at baseline" in body and "Record PHQ-9 at baseline" in body
    assert "Record Pain NRS" not in body  # the check-in form takes the pain score itself
    assert f"/patients/{visit.patient_id}/measures/fiqr/new/?context=baseline" in body
