"""Putting patients on the waitlist, taking them off and filling an entry: the rules, and
refusals that change nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clinic.errors import ConflictError
from scheduling.models import AppointmentStatus
from tests.factories import PatientFactory
from tests.helpers import next_monday
from waitlist.models import WaitlistEntry, WaitlistStatus, Wish
from waitlist.services import waitlist_add, waitlist_fill, waitlist_withdraw

S = WaitlistStatus


def start_sooner(patient, site, by, **kwargs):
    return waitlist_add(patient=patient, location=site, wish=Wish.START_SOONER, by=by, **kwargs)


def test_a_patient_waits_with_days_and_times_and_the_move_is_in_the_history(
    waiting_patient, site, front_desk
):
    entry = start_sooner(
        waiting_patient, site, front_desk, weekdays=[4, 0, 0], earliest_time=datetime.time(9),
        latest_time=datetime.time(12), note=" mornings ",
    )  # fmt: skip
    assert entry.status == S.ACTIVE and entry.weekdays == [0, 4] and entry.note == "mornings"
    change = entry.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by) == ("", S.ACTIVE, front_desk)


def test_a_patient_who_cannot_be_booked_is_refused_and_nothing_is_saved(site, front_desk):
    unscreened = PatientFactory(home_location=site)
    with pytest.raises(ValidationError) as refused:
        start_sooner(unscreened, site, front_desk)
    assert "screening" in " ".join(refused.value.message_dict["patient"]).lower()
    assert not WaitlistEntry.objects.exists()


def test_a_nurse_may_not_put_patients_on_the_waitlist(waiting_patient, site, nurse):
    with pytest.raises(PermissionDenied):
        start_sooner(waiting_patient, site, nurse)
    assert not WaitlistEntry.objects.exists()


def test_a_site_not_the_users_is_refused(waiting_patient, other_site, front_desk):
    with pytest.raises(ValidationError, match="not one of yours"):
        start_sooner(waiting_patient, other_site, front_desk)


def test_a_window_already_over_is_refused(waiting_patient, site, front_desk):
    """Days that have passed: no chair could ever be offered in them."""
    last_week = site.today() - datetime.timedelta(days=7)
    with pytest.raises(ValidationError) as refused:
        start_sooner(
            waiting_patient, site, front_desk,
            earliest_date=last_week - datetime.timedelta(days=4), latest_date=last_week,
        )  # fmt: skip
    assert "has passed" in refused.value.message_dict["latest_date"][0]
    assert not WaitlistEntry.objects.exists()


def test_one_active_entry_per_wish_and_site(waiting_patient, site, front_desk):
    start_sooner(waiting_patient, site, front_desk)
    with pytest.raises(ValidationError, match="already on this site's waitlist"):
        start_sooner(waiting_patient, site, front_desk)
    assert WaitlistEntry.objects.count() == 1


def test_a_window_ending_before_it_starts_is_refused(waiting_patient, site, front_desk):
    with pytest.raises(ValidationError) as refused:
        start_sooner(
            waiting_patient, site, front_desk, earliest_date=next_monday(2),
            latest_date=next_monday(1), weekdays=[7],
        )  # fmt: skip
    assert set(refused.value.message_dict) >= {"latest_date"}
    assert not WaitlistEntry.objects.exists()


def test_moving_earlier_names_a_booked_session_of_the_patient(
    first_course, later_course, site, front_desk
):
    others = first_course.appointments.get(sequence=1)
    with pytest.raises(ValidationError, match="not the patient's"):
        waitlist_add(
            patient=later_course.patient, location=site, wish=Wish.MOVE_EARLIER,
            appointment=others, by=front_desk,
        )  # fmt: skip
    with pytest.raises(ValidationError, match="Pick the booked session"):
        waitlist_add(
            patient=later_course.patient, location=site, wish=Wish.MOVE_EARLIER, by=front_desk
        )
    assert not WaitlistEntry.objects.exists()


def test_a_cancelled_session_cannot_wait_to_move(freed, first_course, site, front_desk):
    with pytest.raises(ValidationError, match="scheduled or confirmed"):
        waitlist_add(
            patient=first_course.patient, location=site, wish=Wish.MOVE_EARLIER,
            appointment=freed, by=front_desk,
        )  # fmt: skip


def test_withdrawing_needs_a_reason_and_is_final(move_earlier, front_desk):
    with pytest.raises(ValidationError, match="Say why"):
        waitlist_withdraw(entry=move_earlier, by=front_desk, reason=" ")
    move_earlier.refresh_from_db()
    assert move_earlier.status == S.ACTIVE
    waitlist_withdraw(entry=move_earlier, by=front_desk, reason="Found another clinic")
    move_earlier.refresh_from_db()
    assert move_earlier.status == S.WITHDRAWN
    assert move_earlier.status_changes.last().reason == "Found another clinic"
    with pytest.raises(ConflictError, match="already withdrawn"):
        waitlist_withdraw(entry=move_earlier, by=front_desk, reason="Again")


def test_filling_moves_the_session_into_the_freed_chair(move_earlier, freed, front_desk):
    session = move_earlier.appointment
    entry = waitlist_fill(
        entry=move_earlier, by=front_desk, starts_at=freed.starts_at, chair=freed.chair,
        nurse=freed.nurse,
    )  # fmt: skip
    session.refresh_from_db()
    assert session.starts_at == freed.starts_at and session.chair == freed.chair
    assert session.status == AppointmentStatus.SCHEDULED and not session.escort_confirmed
    assert "waitlist" in session.status_changes.last().reason
    assert entry.status == S.FILLED and entry.filled_with == session
    assert [c.to_status for c in entry.status_changes.all()] == [S.ACTIVE, S.FILLED]


def test_a_time_that_is_not_earlier_moves_nothing(move_earlier, front_desk):
    session = move_earlier.appointment
    later = session.starts_at + datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="not earlier"):
        waitlist_fill(entry=move_earlier, by=front_desk, starts_at=later)
    move_earlier.refresh_from_db()
    session.refresh_from_db()
    assert move_earlier.status == S.ACTIVE and session.starts_at < later


def test_a_fill_the_booking_rules_refuse_leaves_the_entry_waiting(
    move_earlier, first_course, front_desk
):
    """Into a chair that is still booked: scheduling's own check refuses, nothing moves."""
    booked = first_course.appointments.get(sequence=2)
    with pytest.raises(ConflictError):
        waitlist_fill(
            entry=move_earlier, by=front_desk, starts_at=booked.starts_at, chair=booked.chair,
            nurse=booked.nurse,
        )  # fmt: skip
    move_earlier.refresh_from_db()
    assert move_earlier.status == S.ACTIVE and move_earlier.filled_with is None


def test_a_new_patient_is_filled_with_the_first_session_of_their_course(
    later_course, site, front_desk
):
    entry = start_sooner(later_course.patient, site, front_desk)
    first = later_course.appointments.get(sequence=1)
    entry = waitlist_fill(entry=entry, by=front_desk, appointment=first)
    assert entry.status == S.FILLED and entry.filled_with == first


def test_a_nurse_may_not_fill(move_earlier, freed, nurse):
    with pytest.raises(PermissionDenied):
        waitlist_fill(entry=move_earlier, by=nurse, starts_at=freed.starts_at)
    move_earlier.refresh_from_db()
    assert move_earlier.status == S.ACTIVE


def test_the_patients_export_holds_their_waitlist_entries(move_earlier):
    from audit.export import patient_record

    sections = {s["model"]: s["rows"] for s in patient_record(move_earlier.patient)["sections"]}
    assert [row["id"] for row in sections["waitlist.WaitlistEntry"]] == [move_earlier.pk]
    assert len(sections["waitlist.WaitlistStatusChange"]) == 1
