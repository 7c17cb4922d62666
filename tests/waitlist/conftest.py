"""Two courses in the bookable clinic of tests/fixtures/scheduling.py: the patient's
(chair 1, Mon/Wed/Fri 09:00 from next Monday) and a second patient's starting a week later
(chair 2, 13:00), and one session of the first cancelled: the chair the waitlist fills."""

import pytest

from scheduling import services as scheduling
from scheduling.models import AppointmentStatus
from tests.factories import PatientFactory
from tests.helpers import book, book_course, make_bookable, mon_wed_fri, next_monday
from waitlist.models import Wish
from waitlist.services import waitlist_add


@pytest.fixture
def first_course(shifts, patient, protocol, site, chairs, nurse, front_desk):
    return book_course(patient, protocol, site, chairs[0], nurse, front_desk, count=8)


@pytest.fixture
def waiting_patient(site, nurse):
    return make_bookable(PatientFactory(home_location=site, legal_last_name="Waits"), nurse)


@pytest.fixture
def later_course(shifts, waiting_patient, protocol, site, chairs, nurse, front_desk):
    starts = mon_wed_fri(next_monday(2), 8, hour=13)
    return book(waiting_patient, protocol, site, starts, chairs[1], nurse, front_desk)


@pytest.fixture
def freed(first_course, later_course, front_desk):
    """The first course's second session (next Wednesday 09:00, chair 1), cancelled."""
    return scheduling.appointment_transition(
        appointment=first_course.appointments.get(sequence=2),
        to_status=AppointmentStatus.CANCELLED, changed_by=front_desk, reason="Flu",
    )  # fmt: skip


@pytest.fixture
def move_earlier(later_course, site, front_desk):
    """The waiting patient wants their first session (Monday in two weeks) earlier."""
    return waitlist_add(
        patient=later_course.patient, location=site, wish=Wish.MOVE_EARLIER,
        appointment=later_course.appointments.get(sequence=1), by=front_desk,
    )  # fmt: skip


@pytest.fixture
def manual_offers(settings):
    """No automatic offer on a cancel: the test makes its own (list it before ``freed``)."""
    settings.WAITLIST_AUTO_OFFER = False


@pytest.fixture
def rival(first_course, site, front_desk):
    """The first course's third session (next Friday) also wants the freed Wednesday."""
    return waitlist_add(
        patient=first_course.patient, location=site, wish=Wish.MOVE_EARLIER,
        appointment=first_course.appointments.get(sequence=3), by=front_desk,
    )  # fmt: skip
