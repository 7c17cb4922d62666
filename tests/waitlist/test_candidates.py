"""Who could take a freed chair: the entry's window, weekdays and times on the site's wall
clock, the patient free then, and for a session moved earlier: really earlier, and the
course's gap and window kept. Another site's entries never; four queries whatever the list."""

import datetime

import pytest
from django.utils import timezone

from clinic.roles import Role
from scheduling import services as scheduling
from scheduling.models import AppointmentStatus
from tests.factories import PatientFactory, UserFactory
from tests.helpers import LA, add_shifts, book_course, make_bookable
from waitlist.models import Wish
from waitlist.selectors import candidates_for_slot, entries_for, freed_sessions
from waitlist.services import waitlist_add, waitlist_fill, waitlist_withdraw


@pytest.fixture
def new_patient(site, nurse):
    def make(**kwargs):
        return make_bookable(PatientFactory(home_location=site, **kwargs), nurse)

    return make


def wait(patient, site, by, **kwargs):
    return waitlist_add(patient=patient, location=site, wish=Wish.START_SOONER, by=by, **kwargs)


def test_the_freed_wednesday_morning_finds_the_entries_that_fit(
    freed, move_earlier, new_patient, site, front_desk
):
    """The freed session: next Wednesday 09:00 Pacific."""
    assert freed.starts_at.astimezone(LA).time() == datetime.time(9)
    any_time = wait(new_patient(), site, front_desk)
    wednesday = wait(new_patient(), site, front_desk, weekdays=[2, 4])
    mondays = wait(new_patient(), site, front_desk, weekdays=[0])
    mornings = wait(
        new_patient(), site, front_desk, earliest_time=datetime.time(8, 30),
        latest_time=datetime.time(9),
    )  # fmt: skip
    afternoons = wait(new_patient(), site, front_desk, earliest_time=datetime.time(12))
    day = freed.starts_at.astimezone(LA).date()
    later_window = wait(
        new_patient(), site, front_desk, earliest_date=day + datetime.timedelta(days=1)
    )
    past_window = wait(
        new_patient(), site, front_desk, latest_date=day - datetime.timedelta(days=1)
    )
    withdrawn = wait(new_patient(), site, front_desk)
    waitlist_withdraw(entry=withdrawn, by=front_desk, reason="Moved away")

    found = candidates_for_slot(freed)

    assert found == [move_earlier, any_time, wednesday, mornings]  # first come, first served
    assert not {mondays, afternoons, later_window, past_window, withdrawn} & set(found)


def test_the_times_are_the_sites_wall_clock(freed, new_patient, site, front_desk):
    """09:00 in Irvine is 12:00 in New York: a site there matches a noon-only entry."""
    noon = wait(
        new_patient(), site, front_desk, earliest_time=datetime.time(12),
        latest_time=datetime.time(12),
    )  # fmt: skip
    assert candidates_for_slot(freed) == []
    site.time_zone = "America/New_York"
    site.save()
    freed.refresh_from_db()
    assert candidates_for_slot(freed) == [noon]


def test_another_sites_entries_are_not_offered(freed, new_patient, other_site, clinic_admin, site):
    there = wait(new_patient(), other_site, clinic_admin)
    here = wait(new_patient(), site, clinic_admin)
    assert candidates_for_slot(freed) == [here]
    assert there in entries_for(clinic_admin)


def test_a_session_is_offered_only_an_earlier_time_that_keeps_its_courses_gap(
    first_course, later_course, site, front_desk
):
    """The waiting patient's second session (Wednesday in two weeks, 13:00) wants earlier.
    Monday in two weeks 09:00 frees up: four hours before their first session, under the
    24 h gap. Next Wednesday 09:00 frees up too: five days before their first, fine."""
    entry = waitlist_add(
        patient=later_course.patient, location=site, wish=Wish.MOVE_EARLIER,
        appointment=later_course.appointments.get(sequence=2), by=front_desk,
    )  # fmt: skip

    def cancel(sequence):
        return scheduling.appointment_transition(
            appointment=first_course.appointments.get(sequence=sequence),
            to_status=AppointmentStatus.CANCELLED, changed_by=front_desk, reason="Flu",
        )  # fmt: skip

    too_close, fine = cancel(4), cancel(2)
    assert candidates_for_slot(too_close) == []
    assert candidates_for_slot(fine) == [entry]
    # Not a time after the session: the last of the first course is after the second's.
    assert candidates_for_slot(cancel(8)) == []


def test_a_patient_busy_at_the_freed_time_is_not_offered(
    freed, new_patient, site, chairs, protocol, front_desk
):
    """A patient with a session of their own at the freed time (in another chair, with
    another nurse) is left out; the freed session's own patient is free then."""
    other_nurse = UserFactory(role=Role.NURSE, locations=[site])
    add_shifts(other_nurse, site, timezone.localdate())
    busy_patient = new_patient()
    book_course(busy_patient, protocol, site, chairs[2], other_nurse, front_desk, count=8)
    busy = wait(busy_patient, site, front_desk)
    own = wait(freed.patient, site, front_desk)
    assert busy.pk and candidates_for_slot(freed) == [own]


def test_candidates_cost_four_queries_however_many_wait(
    freed, new_patient, site, front_desk, django_assert_max_num_queries, later_course
):
    for _ in range(6):
        wait(new_patient(), site, front_desk)
    waitlist_add(
        patient=later_course.patient, location=site, wish=Wish.MOVE_EARLIER,
        appointment=later_course.appointments.get(sequence=3), by=front_desk,
    )  # fmt: skip
    freed = type(freed).objects.select_related("location").get(pk=freed.pk)
    with django_assert_max_num_queries(4):
        found = candidates_for_slot(freed)
        [entry.patient.display_name for entry in found]
    assert len(found) == 7


def test_the_site_lists_its_freed_chairs_until_they_are_booked_again(
    freed, move_earlier, site, front_desk
):
    assert list(freed_sessions(site, timezone.now())) == [freed]
    waitlist_fill(
        entry=move_earlier, by=front_desk, starts_at=freed.starts_at, chair=freed.chair,
        nurse=freed.nurse,
    )  # fmt: skip
    assert list(freed_sessions(site, timezone.now())) == []
