"""Each patient's appointments as an iCalendar feed at a secret, revocable URL."""

import datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from scheduling import services
from scheduling.calendar import appointment_uid, calendar_feed_create
from scheduling.models import CalendarFeed
from scheduling.services import SessionRequest
from tests.helpers import LA, add_shifts, at

# US daylight-saving time begins on Sunday 2027-03-14 (the second Sunday of March).
BEFORE_DST = datetime.date(2027, 3, 8)  # a Monday


@pytest.fixture
def course_across_dst(patient, protocol, site, chairs, nurse, front_desk, clinic_open):
    add_shifts(nurse, site, BEFORE_DST, days=30)
    days = [BEFORE_DST + datetime.timedelta(days=n) for n in (0, 2, 4, 7, 9, 11, 14, 16)]
    return services.course_book(
        patient=patient, protocol=protocol, location=site, booked_by=front_desk,
        sessions=[SessionRequest(at(day, 9), chairs[0], nurse) for day in days],
    )  # fmt: skip


def feed_url(feed):
    return reverse("scheduling:calendar_feed", args=[feed.token])


def events(response):
    return [c for c in Calendar.from_ical(response.content).walk("VEVENT")]


def test_the_feed_keeps_nine_oclock_on_both_sides_of_the_dst_change(
    client, patient, front_desk, course_across_dst
):
    feed = calendar_feed_create(patient=patient, created_by=front_desk)
    response = client.get(feed_url(feed))  # no login: the token is the credential
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    found = events(response)
    assert len(found) == 8
    starts = [event.decoded("dtstart") for event in found]
    assert all(start.hour == 9 and start.minute == 0 for start in starts)
    assert {start.utcoffset() for start in starts} == {
        datetime.timedelta(hours=-8),
        datetime.timedelta(hours=-7),
    }
    text = response.content.decode()
    assert "DTSTART;TZID=America/Los_Angeles:20270308T090000" in text
    assert "DTSTART;TZID=America/Los_Angeles:20270315T090000" in text
    assert "BEGIN:VTIMEZONE" in text


def test_each_event_is_a_clinic_appointment_at_the_site_without_clinical_words(
    client, patient, front_desk, protocol, course_across_dst
):
    feed = calendar_feed_create(patient=patient, created_by=front_desk)
    response = client.get(feed_url(feed))
    first = course_across_dst.appointments.order_by("starts_at").first()
    event = events(response)[0]
    assert str(event["summary"]) == "Clinic appointment"
    assert str(event["uid"]) == appointment_uid(first)
    assert "1 Test Way" in str(event["location"])
    text = response.content.decode().lower()
    for clinical in ("ketamine", "fibromyalgia", "mg/kg", protocol.name.lower(), "infusion"):
        assert clinical not in text


def test_uids_stay_the_same_when_an_appointment_moves(
    client, patient, front_desk, course_across_dst
):
    feed = calendar_feed_create(patient=patient, created_by=front_desk)
    before = {str(e["uid"]) for e in events(client.get(feed_url(feed)))}
    second = course_across_dst.appointments.get(sequence=2)
    services.appointment_reschedule(
        appointment=second, starts_at=second.starts_at + datetime.timedelta(hours=2),
        changed_by=front_desk,
    )  # fmt: skip
    after = events(client.get(feed_url(feed)))
    assert {str(e["uid"]) for e in after} == before
    moved = next(e for e in after if str(e["uid"]) == appointment_uid(second))
    assert moved.decoded("dtstart").astimezone(LA).hour == 11


def test_a_cancelled_appointment_leaves_the_feed(client, patient, front_desk, course_across_dst):
    feed = calendar_feed_create(patient=patient, created_by=front_desk)
    services.appointment_transition(
        appointment=course_across_dst.appointments.get(sequence=1), to_status="cancelled",
        changed_by=front_desk, reason="Unwell",
    )  # fmt: skip
    assert len(events(client.get(feed_url(feed)))) == 7


def test_a_revoked_link_answers_404(login, client, patient, front_desk, course_across_dst):
    staff = login(front_desk)
    staff.post(reverse("scheduling:feed_create", args=[patient.pk]))
    feed = CalendarFeed.objects.get(patient=patient)
    assert len(feed.token) >= 43
    url = feed_url(feed)
    assert staff.get(url).status_code == 200
    staff.post(reverse("scheduling:feed_revoke", args=[patient.pk]))
    staff.logout()
    assert client.get(url).status_code == 404
    assert client.get(reverse("scheduling:calendar_feed", args=["not-a-token"])).status_code == 404


def test_the_download_needs_a_login_and_serves_the_same_events(
    login, client, patient, front_desk, course_across_dst
):
    url = reverse("scheduling:calendar_download", args=[patient.pk])
    assert client.get(url).status_code == 302
    response = login(front_desk).get(url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert len(events(response)) == 8


def test_a_second_live_link_is_refused_until_the_first_is_revoked(
    login, patient, front_desk, course_across_dst
):
    staff = login(front_desk)
    url = reverse("scheduling:feed_create", args=[patient.pk])
    staff.post(url)
    response = staff.post(url, follow=True)
    assert "already has a calendar link" in response.content.decode()
    assert CalendarFeed.objects.filter(patient=patient).count() == 1
