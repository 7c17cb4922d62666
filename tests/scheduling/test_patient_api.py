"""What the patient page shows and the API lacked (issue 15): the patient's messages with
their delivery states, how they may be contacted, and their calendar links."""

from django.utils import timezone

from audit.models import AccessLog
from patients.services import communication_consent_record
from scheduling.models import (
    CalendarFeed,
    MessageChannel,
    MessageKind,
    MessageStatus,
    OutboundMessage,
)
from tests.factories import PatientFactory


def message(appointment, status, channel=MessageChannel.SMS, **fields):
    return OutboundMessage.objects.create(
        appointment=appointment, kind=MessageKind.APPOINTMENT, channel=channel,
        recipient="+19495550123", send_at=timezone.now(), status=status, **fields,
    )  # fmt: skip


def test_a_patients_messages_with_their_delivery_states(login, front_desk, appointment):
    sent = message(appointment, MessageStatus.SENT, sent_at=timezone.now())
    failed = message(appointment, MessageStatus.FAILED, channel=MessageChannel.EMAIL,
                     last_error="Mailbox full", attempts=3)  # fmt: skip
    client = login(front_desk)
    url = f"/api/v1/patients/{appointment.patient_id}/messages/"
    rows = client.get(url).json()["results"]
    assert {row["id"]: row["status"] for row in rows} == {sent.pk: "sent", failed.pk: "failed"}
    failed_row = next(row for row in rows if row["id"] == failed.pk)
    assert failed_row["last_error"] == "Mailbox full" and failed_row["attempts"] == 3
    assert "body" not in failed_row
    only_failed = client.get(url + "?status=failed").json()["results"]
    assert [row["id"] for row in only_failed] == [failed.pk]
    assert client.get(url + "?status=lost").status_code == 400
    assert AccessLog.objects.filter(patient=appointment.patient, user=front_desk).exists()


def test_another_sites_patient_has_no_messages_here(login, front_desk, other_site):
    stranger = PatientFactory(home_location=other_site)
    response = login(front_desk).get(f"/api/v1/patients/{stranger.pk}/messages/")
    assert response.status_code == 404


def test_the_communication_preferences_show_the_consent_in_force(login, nurse, front_desk, site):
    patient = PatientFactory(home_location=site, phone="+19495550123", email="")
    communication_consent_record(patient=patient, channel="sms", granted=True, method="verbal",
                                 recorded_by=front_desk)  # fmt: skip
    communication_consent_record(patient=patient, channel="sms", granted=False,
                                 method="sms_reply", recorded_by=None)  # fmt: skip
    body = login(nurse).get(f"/api/v1/patients/{patient.pk}/communication-preferences/").json()
    channels = {row["channel"]: row for row in body["channels"]}
    assert channels["sms"]["consent"] == "refused"
    assert channels["sms"]["method"] == "sms_reply" and channels["sms"]["recorded_by"] is None
    assert channels["sms"]["address"] == "+19495550123"
    assert channels["email"] == {
        "channel": "email", "consent": "not_recorded", "address": "", "recorded_at": None,
        "method": None, "recorded_by": None,
    }  # fmt: skip
    assert body["preferred_language"] == patient.preferred_language


def test_the_front_desk_gives_and_revokes_a_calendar_link(login, front_desk, site):
    patient = PatientFactory(home_location=site)
    client = login(front_desk)
    url = f"/api/v1/patients/{patient.pk}/calendar-feeds/"
    created = client.post(url, content_type="application/json")
    assert created.status_code == 201, created.content
    feed = CalendarFeed.objects.get(patient=patient)
    assert created.json()["url"].endswith(f"/scheduling/calendar/{feed.token}.ics")
    again = client.post(url, content_type="application/json")
    assert again.status_code == 400 and "revoke it first" in str(again.json()["errors"])
    assert client.get(created.json()["url"]).status_code == 200
    revoked = client.post(f"{url}{feed.pk}/revoke/", content_type="application/json")
    assert revoked.status_code == 200 and revoked.json()["url"] is None
    assert client.get(f"/scheduling/calendar/{feed.token}.ics").status_code == 404
    assert [row["id"] for row in client.get(url).json()["results"]] == [feed.pk]


def test_a_nurse_sees_the_calendar_links_but_does_not_give_them(login, nurse, site):
    patient = PatientFactory(home_location=site)
    client = login(nurse)
    url = f"/api/v1/patients/{patient.pk}/calendar-feeds/"
    assert client.get(url).status_code == 200
    assert client.post(url, content_type="application/json").status_code == 403
    assert not CalendarFeed.objects.exists()
