"""Rescheduling by picking a free slot: the slot search (a selector) offers exactly the
times the reschedule service accepts, the screen moves a session in one pick, and the API
lists the same slots."""

import datetime

import pytest
from django.urls import reverse

from scheduling import services
from scheduling.models import Appointment, ChairOutOfService, ClosedDay
from scheduling.selectors.slots import course_gap_problem, free_slots
from scheduling.services.slots import SessionTimes, slot_invalid, slot_taken
from tests.factories import PatientFactory
from tests.helpers import LA, at, book_course, make_bookable, next_monday

pytestmark = pytest.mark.usefixtures("shifts")


def the_times(slots):
    return [slot.local_start.time() for slot in slots]


def accepted_by_the_service(appointment, chairs, nurses, day):
    """Every 15-minute start on ``day`` at which some chair and nurse pass the checks
    ``appointment_reschedule`` makes (the independent oracle for the slot search)."""
    accepted = []
    moment = at(day, 8)
    shape = appointment.ends_at - appointment.starts_at
    to_infusion = appointment.infusion_starts_at - appointment.starts_at
    infusion = appointment.infusion_ends_at - appointment.infusion_starts_at
    while moment.time() <= datetime.time(18):
        times = SessionTimes(
            moment, moment + shape, moment + to_infusion, moment + to_infusion + infusion
        )
        if moment != appointment.starts_at and not course_gap_problem(appointment, moment):
            for chair in chairs:
                for nurse in nurses:
                    args = dict(location=appointment.location, chair=chair, nurse=nurse)
                    if not slot_invalid(times=times, **args) and not slot_taken(
                        patient=appointment.patient, times=times, ignore=appointment, **args
                    ):
                        accepted.append(moment.time())
                        break
                else:
                    continue
                break
        moment += datetime.timedelta(minutes=15)
    return accepted


@pytest.fixture
def course(patient, protocol, site, chairs, nurse, front_desk):
    return book_course(patient, protocol, site, chairs[0], nurse, front_desk)


def test_a_free_day_offers_every_quarter_hour_with_its_own_chair_and_nurse(course, chairs, nurse):
    second = course.appointments.get(sequence=2)  # Wednesday 09:00
    tuesday = next_monday() + datetime.timedelta(days=1)
    slots, why_none = free_slots(second, tuesday)
    assert not why_none
    # 24 h after Monday's 09:00 infusion, and the 105-minute visit ends by 18:00
    assert the_times(slots)[0] == datetime.time(9) and the_times(slots)[-1] == datetime.time(16, 15)
    assert {slot.chair for slot in slots} == {chairs[0]} and {slot.nurse for slot in slots} == {
        nurse
    }


def test_the_slots_are_exactly_the_times_the_service_accepts_on_a_busy_day(
    course, chairs, nurse, another_nurse, site, protocol, front_desk
):
    second = course.appointments.get(sequence=2)
    wednesday = second.starts_at.astimezone(LA).date()
    for chair in chairs[1:]:
        ChairOutOfService.objects.create(
            chair=chair, starts_at=at(wednesday, 8), ends_at=at(wednesday, 12), reason="Clean"
        )
    other = make_bookable(PatientFactory(home_location=site), nurse)
    book_course(other, protocol, site, chairs[0], nurse, front_desk, hour=13)
    slots, _ = free_slots(second, wednesday)
    offered = the_times(slots)
    assert offered == accepted_by_the_service(second, chairs, [nurse, another_nurse], wednesday)
    assert datetime.time(9) not in offered  # its own time is not a move
    assert datetime.time(13) not in offered  # chair 1 taken, chairs 2-3 free but nurse busy
    for slot in slots:
        assert slot.chair.pk != chairs[0].pk or not (
            datetime.time(11, 30) < slot.local_start.time() < datetime.time(14, 45)
        )


def test_a_closed_day_says_why_and_offers_nothing(course, site):
    second = course.appointments.get(sequence=2)
    tuesday = next_monday() + datetime.timedelta(days=1)
    ClosedDay.objects.create(location=site, date=tuesday, reason="Staff training")
    slots, why_none = free_slots(second, tuesday)
    assert slots == [] and "Staff training" in why_none


def test_the_slot_search_costs_the_same_queries_on_a_full_day(
    course, chairs, nurse, site, protocol, front_desk, django_assert_max_num_queries
):
    second = course.appointments.get(sequence=2)
    wednesday = second.starts_at.astimezone(LA).date()
    with django_assert_max_num_queries(12) as before:
        free_slots(second, wednesday)
    for hour in (11, 13, 15):
        other = make_bookable(PatientFactory(home_location=site), nurse)
        book_course(other, protocol, site, chairs[1], nurse, front_desk, hour=hour)
    with django_assert_max_num_queries(len(before.captured_queries)):
        free_slots(second, wednesday)


# --- The screen -----------------------------------------------------------------------------


def reschedule_url(appointment, day=None):
    url = reverse("scheduling:reschedule", args=[appointment.pk])
    return url + (f"?date={day.isoformat()}" if day else "")


def test_picking_a_slot_moves_the_session_there(login, front_desk, course, chairs, nurse):
    second = course.appointments.get(sequence=2)
    tuesday = next_monday() + datetime.timedelta(days=1)
    client = login(front_desk)
    page = client.get(reschedule_url(second, tuesday)).content.decode()
    slot = free_slots(second, tuesday)[0][4]  # 10:00
    assert slot.value in page and "Free on Tuesday" in page
    response = client.post(
        reschedule_url(second), {"slot": slot.value, "reason": "Work"}, follow=True
    )
    assert f"Appointment moved to {tuesday:%a %m/%d/%Y} 10:00" in response.content.decode()
    second.refresh_from_db()
    assert second.starts_at == at(tuesday, 10) and second.chair == slot.chair
    assert second.status_changes.order_by("pk").last().reason.endswith(": Work")


def test_a_slot_taken_meanwhile_is_refused_and_nothing_moves(
    login, front_desk, course, chairs, nurse, site, protocol
):
    second = course.appointments.get(sequence=2)
    tuesday = next_monday() + datetime.timedelta(days=1)
    slot = free_slots(second, tuesday)[0][4]
    other = make_bookable(PatientFactory(home_location=site), nurse)
    services.course_book(
        patient=other, protocol=protocol, location=site, booked_by=front_desk,
        sessions=[services.SessionRequest(at(tuesday, 10), chairs[1], nurse)]
        + [services.SessionRequest(at(tuesday + datetime.timedelta(days=d), 10), chairs[1], nurse)
           for d in (2, 4, 7, 9, 11, 14, 16)],
    )  # fmt: skip
    before = Appointment.objects.get(pk=second.pk).starts_at
    response = login(front_desk).post(reschedule_url(second), {"slot": slot.value})
    assert response.status_code == 409
    assert "Not moved" in response.content.decode()
    assert Appointment.objects.get(pk=second.pk).starts_at == before


def test_a_day_that_is_not_a_date_or_has_passed_is_said(login, front_desk, course):
    second = course.appointments.get(sequence=2)
    client = login(front_desk)
    page = client.get(reschedule_url(second) + "?date=31/12").content.decode()
    assert "&quot;31/12&quot; is not a date" in page or '"31/12" is not a date' in page
    yesterday = datetime.date.today() - datetime.timedelta(days=2)
    page = client.get(reschedule_url(second, yesterday)).content.decode()
    assert "has passed" in page


def test_the_typed_time_path_still_works(login, front_desk, course, chairs, nurse):
    second = course.appointments.get(sequence=2)
    tuesday = next_monday() + datetime.timedelta(days=1)
    response = login(front_desk).post(
        reschedule_url(second),
        {"starts_at": f"{tuesday.isoformat()}T11:00", "chair": chairs[2].pk, "nurse": nurse.pk},
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.starts_at == at(tuesday, 11) and second.chair == chairs[2]


# --- The API --------------------------------------------------------------------------------


def slots_url(appointment):
    return f"/api/v1/appointments/{appointment.pk}/slots/"


def test_the_api_lists_the_same_slots_and_names_a_bad_date(login, front_desk, course):
    second = course.appointments.get(sequence=2)
    tuesday = next_monday() + datetime.timedelta(days=1)
    client = login(front_desk)
    answer = client.get(slots_url(second), {"date": tuesday.isoformat()})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["date"] == tuesday.isoformat() and body["none_because"] == ""
    first = body["slots"][0]
    assert first["starts_at"] == at(tuesday, 9).isoformat()
    assert {"chair", "chair_name", "nurse", "nurse_name"} <= set(first)
    bad = client.get(slots_url(second), {"date": "tomorrow"})
    assert bad.status_code == 400 and "date" in bad.json()["errors"]
    picked = client.post(
        f"/api/v1/appointments/{second.pk}/reschedule/",
        {"starts_at": first["starts_at"], "chair": first["chair"], "nurse": first["nurse"]},
        content_type="application/json",
    )
    assert picked.status_code == 200, picked.content


def test_a_nurse_cannot_list_slots(login, nurse, course):
    second = course.appointments.get(sequence=2)
    assert login(nurse).get(slots_url(second)).status_code == 403
