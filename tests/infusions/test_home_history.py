"""The physician's home reads what is waiting, not the history: screenings awaiting
clearance and PHQ-9 follow-ups test each waiting row's patient against the user's sites
(``patients.selectors.seen_by``), course reviews due read the open courses (a partial
index), early stops the stopped events (a partial index). Each keeps its meaning, and its
queries do not grow with old, finished rows."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing.selectors.work import desk_money_work
from infusions.selectors.homes import physician_work_waiting
from infusions.selectors.timing import early_stops_awaiting_review
from infusions.services import early_stop_review, infusion_record_stopped_dose, infusion_stop
from outcomes.reviews import reviews_due_for
from patients import services
from patients.models import Patient, Screening
from patients.models.clinical import QUESTION_FIELDS
from patients.selectors import awaiting_clearance_for, open_phq9_follow_ups_for
from scheduling.models import AppointmentStatus, CourseStatus
from tests.chair_clock import advance
from tests.factories import AppointmentFactory, CourseFactory, PatientFactory
from tests.plans import plans_of

NEGATIVE = {
    "cardiovascular": "no", "pregnancy": "no", "psychosis": "no", "hepatic_disease": "no",
    "intracranial_pressure": "no", "intraocular_pressure": "no", "substance_misuse": "no",
}  # fmt: skip

# Today's board and the overdue times: not across midnight (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("daytime")


def screen(patient, user, **answers):
    return services.screening_record(
        patient=patient, recorded_by=user, answers={**NEGATIVE, **answers}
    )


def queries(read) -> int:
    read()  # the user's roles are cached on the first read
    with CaptureQueriesContext(connection) as captured:
        read()
    return len(captured.captured_queries)


def awaiting(physician) -> list:
    return [screening.patient for screening in awaiting_clearance_for(physician)]


def test_clearance_queries_do_not_grow_with_cleared_screenings(physician, nurse, site):
    waiting = PatientFactory(home_location=site)
    screen(waiting, nurse, psychosis="unknown")

    def read():
        awaiting(physician)
        awaiting_clearance_for(physician).count()
        open_phq9_follow_ups_for(physician).count()
        physician_work_waiting(physician)

    one = queries(read)
    for _ in range(4):
        old = PatientFactory(home_location=site)
        positive = screen(old, nurse, substance_misuse="yes")
        services.clearance_record(
            screening=positive, physician=physician, decision="cleared", note="Fine."
        )
        screen(old, nurse)
    assert queries(read) == one
    assert awaiting(physician) == [waiting]


def test_awaiting_clearance_keeps_its_meaning(physician, nurse, site, other_site):
    with time_machine.travel(datetime.datetime(2021, 1, 4, 9, 0, tzinfo=datetime.UTC)):
        years_old = PatientFactory(home_location=site, legal_last_name="Aaron")
        screen(years_old, nurse, pregnancy="yes")
    booked_here = PatientFactory(home_location=other_site, legal_last_name="Baker")
    course = CourseFactory(location=site, patient=booked_here)
    AppointmentFactory(course=course)
    screen(booked_here, nurse, cardiovascular="yes")
    cancelled_here = PatientFactory(home_location=other_site)
    AppointmentFactory(
        course=CourseFactory(location=site, patient=cancelled_here),
        status=AppointmentStatus.CANCELLED,
    )
    screen(cancelled_here, nurse, cardiovascular="yes")
    elsewhere = PatientFactory(home_location=other_site)
    screen(elsewhere, nurse, cardiovascular="yes")
    inactive = PatientFactory(home_location=site)
    screen(inactive, nurse, cardiovascular="yes")
    Patient.objects.filter(pk=inactive.pk).update(
        is_active=False, deactivated_at=timezone.now(), deactivated_by=physician,
        deactivation_reason="Moved away",
    )  # fmt: skip
    superseded = PatientFactory(home_location=site)
    screen(superseded, nurse, cardiovascular="yes")
    screen(superseded, nurse)
    assert awaiting(physician) == [years_old, booked_here]
    assert awaiting_clearance_for(physician).count() == 2


def test_course_reviews_due_read_open_courses_only(physician, site):
    def read():
        return reviews_due_for(physician)

    one = queries(read)
    for status in (CourseStatus.COMPLETED, CourseStatus.CANCELLED, CourseStatus.ABANDONED):
        course = CourseFactory(location=site, status=status)
        for sequence in (1, 2):
            AppointmentFactory(
                course=course, sequence=sequence, status=AppointmentStatus.COMPLETED,
                starts_at=timezone.now() - datetime.timedelta(days=7 * sequence),
            )  # fmt: skip
    assert queries(read) == one
    assert read() == []


def test_early_stop_queries_do_not_grow_with_reviewed_stops(running, nurse, physician):
    def read():
        list(early_stops_awaiting_review(physician))
        early_stops_awaiting_review(physician).count()

    one = queries(read)
    advance(10)
    infusion_stop(record=running, by=nurse, reason="Severe dissociation")
    infusion_record_stopped_dose(record=running, by=nurse, administered_mg="8.5")
    assert [record.pk for record in early_stops_awaiting_review(physician)] == [running.pk]
    early_stop_review(record=running, by=physician)
    assert queries(read) == one
    assert not early_stops_awaiting_review(physician).exists()


READERS = {
    "screening_flagged": lambda user: awaiting_clearance_for(user).count(),
    "measure_phq9_item9_raised": lambda user: open_phq9_follow_ups_for(user).count(),
    "course_open_by_location": reviews_due_for,
    "statusevent_stopped_record": lambda user: early_stops_awaiting_review(user).count(),
}


@pytest.mark.parametrize("index", sorted(READERS))
def test_the_home_reads_by_its_partial_indexes(physician, index):
    """Each partial index's condition is implied by its reader's filter, so the planner
    can read the waiting rows only."""
    assert index in plans_of(lambda: READERS[index](physician), index)


def test_the_desks_money_counts_read_open_courses_by_the_partial_index(front_desk):
    """Billing's counts on the desk's and the admin's homes (planned courses) use it too."""
    plans = plans_of(lambda: desk_money_work(front_desk), "course_open_by_location")
    assert plans.count("course_open_by_location") >= 2


def test_the_flagged_screening_index_asks_every_question():
    assert QUESTION_FIELDS == tuple(Screening.QUESTIONS)


@pytest.mark.parametrize(
    "index",
    ["course_open_by_location", "statusevent_stopped_record", "screening_flagged",
     "measure_phq9_item9_raised"],
)  # fmt: skip
def test_the_partial_indexes_exist(db, index):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [index])
        assert "WHERE" in cursor.fetchone()[0]
