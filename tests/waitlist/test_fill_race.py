"""Two desk users fill at once, on real Postgres with real threads: exactly one booking."""

import pytest

from scheduling.models import Appointment, AppointmentStatus
from tests.helpers import race
from waitlist.models import WaitlistEntry, WaitlistStatus, Wish
from waitlist.services import waitlist_add, waitlist_fill

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def fill_into(entry, freed, user):
    return lambda: waitlist_fill(
        entry=entry, by=user, starts_at=freed.starts_at, chair=freed.chair, nurse=freed.nurse
    )


def booked_into(freed) -> int:
    return Appointment.objects.filter(
        chair=freed.chair, starts_at=freed.starts_at, status=AppointmentStatus.SCHEDULED
    ).count()


def test_two_desk_users_filling_one_entry_give_one_fill(
    move_earlier, freed, front_desk, clinic_admin
):
    outcomes = race(
        done="filled",
        attempts=[
            fill_into(move_earlier, freed, front_desk),
            fill_into(move_earlier, freed, clinic_admin),
        ],
    )
    assert sorted(outcomes)[1] == "filled" and outcomes.count("filled") == 1, outcomes
    assert "already filled" in sorted(outcomes)[0], outcomes
    move_earlier.refresh_from_db()
    assert move_earlier.status == WaitlistStatus.FILLED
    assert move_earlier.status_changes.filter(to_status=WaitlistStatus.FILLED).count() == 1
    assert booked_into(freed) == 1


def test_two_patients_offered_one_chair_give_one_booking(
    move_earlier, freed, first_course, site, front_desk, clinic_admin
):
    """The first course's third session (next Friday) wants the freed Wednesday too."""
    rival = waitlist_add(
        patient=first_course.patient, location=site, wish=Wish.MOVE_EARLIER,
        appointment=first_course.appointments.get(sequence=3), by=front_desk,
    )  # fmt: skip
    outcomes = race(
        done="filled",
        attempts=[
            fill_into(move_earlier, freed, front_desk),
            fill_into(rival, freed, clinic_admin),
        ],
    )
    assert outcomes.count("filled") == 1, outcomes
    assert booked_into(freed) == 1
    statuses = set(WaitlistEntry.objects.values_list("status", flat=True))
    assert statuses == {WaitlistStatus.FILLED, WaitlistStatus.ACTIVE}
