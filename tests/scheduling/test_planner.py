import datetime

import pytest

from scheduling import services
from scheduling.models import Appointment, ChairOutOfService, ClosedDay, Course
from scheduling.services import Wishes
from tests.helpers import LA, at, next_monday

pytestmark = pytest.mark.usefixtures("shifts")


def wishes(**overrides):
    values = {
        "start_date": next_monday(),
        "weekdays": (0, 2, 4),
        "preferred_time": datetime.time(9),
        "sessions_per_week": 3,
        "planned_infusions": 10,
    }
    return Wishes(**(values | overrides))


def propose(patient, protocol, site, **overrides):
    return services.course_propose(
        patient=patient, protocol=protocol, location=site, wishes=wishes(**overrides)
    )


def test_a_proposal_fills_the_wished_days_at_the_wished_time_and_saves_nothing(
    patient, protocol, site, chairs
):
    proposal = propose(patient, protocol, site)
    assert len(proposal.sessions) == 10 and not proposal.problems and not proposal.blockers
    local = [s.starts_at.astimezone(LA) for s in proposal.sessions]
    assert {t.time() for t in local} == {datetime.time(9)}
    assert {t.weekday() for t in local} == {0, 2, 4}
    assert not Appointment.objects.exists() and not Course.objects.exists()


def test_a_proposal_books_as_is(patient, protocol, site, chairs, front_desk):
    proposal = propose(patient, protocol, site, planned_infusions=8)
    course = services.course_book(
        patient=patient, protocol=protocol, location=site, sessions=proposal.as_requests(),
        booked_by=front_desk,
    )  # fmt: skip
    assert course.appointments.count() == 8


def test_a_closed_day_is_skipped_and_said(patient, protocol, site, chairs):
    holiday = next_monday() + datetime.timedelta(days=2)
    ClosedDay.objects.create(location=site, date=holiday, reason="Clinic holiday")
    proposal = propose(patient, protocol, site, planned_infusions=8)
    assert holiday not in {s.starts_at.astimezone(LA).date() for s in proposal.sessions}
    assert any("Clinic holiday" in p for p in proposal.problems)


def test_a_taken_time_moves_to_the_nearest_free_time_with_a_reason(patient, protocol, site, chairs):
    monday = next_monday()
    for chair in chairs:
        ChairOutOfService.objects.create(
            chair=chair, starts_at=at(monday, 8), ends_at=at(monday, 11), reason="Deep clean"
        )
    proposal = propose(patient, protocol, site, planned_infusions=8)
    first = proposal.sessions[0]
    assert first.starts_at.astimezone(LA) == at(monday, 11)
    assert "09:00 not possible (no chair is free)" in first.note


def test_a_moved_time_keeps_the_next_day_a_whole_gap_later_and_books_as_is(
    patient, protocol, site, chairs, front_desk
):
    """Found by the load benchmark: Monday's 09:00 taken, Monday moved to 11:00; Tuesday's
    09:00 was then too soon, and the nearest free time that day was 09:00 itself, so the
    proposal held two infusions 22 h apart, which booking refused (a 400)."""
    monday = next_monday()
    for chair in chairs:
        ChairOutOfService.objects.create(
            chair=chair, starts_at=at(monday, 8), ends_at=at(monday, 11), reason="Deep clean"
        )
    proposal = propose(
        patient, protocol, site, weekdays=(0, 1, 2, 3, 4), sessions_per_week=5,
        planned_infusions=8,
    )  # fmt: skip
    starts = [s.starts_at for s in proposal.sessions]
    assert starts[0].astimezone(LA) == at(monday, 11)
    assert starts[1].astimezone(LA) >= at(monday + datetime.timedelta(days=1), 11)
    assert all(later - earlier >= datetime.timedelta(hours=24)
               for earlier, later in zip(starts, starts[1:], strict=False))  # fmt: skip
    course = services.course_book(
        patient=patient, protocol=protocol, location=site, sessions=proposal.as_requests(),
        booked_by=front_desk,
    )  # fmt: skip
    assert course.appointments.count() == 8


def test_too_few_weekdays_for_the_window_is_explained(patient, protocol, site, chairs):
    proposal = propose(
        patient, protocol, site, weekdays=(0,), sessions_per_week=1, planned_infusions=8
    )
    assert len(proposal.sessions) < 8
    assert any("fit within 28 days" in p for p in proposal.problems)


def test_a_patient_who_needs_clearance_gets_a_proposal_with_the_blocker(protocol, site, chairs):
    from tests.factories import PatientFactory

    proposal = propose(PatientFactory(home_location=site), protocol, site, planned_infusions=8)
    assert any("screening" in b for b in proposal.blockers)


def test_thirteen_infusions_are_not_planned(patient, protocol, site, chairs):
    proposal = propose(patient, protocol, site, planned_infusions=13)
    assert proposal.sessions == [] and proposal.problems == ["A course has 8 to 12 infusions."]


def test_the_same_problem_on_several_days_is_one_line_naming_the_days(
    patient, protocol, site, chairs
):
    monday = next_monday()
    closed = [monday + datetime.timedelta(days=n) for n in (0, 2, 4)]
    for day in closed:
        ClosedDay.objects.create(location=site, date=day, reason="Renovation")
    proposal = propose(patient, protocol, site, planned_infusions=8)
    renovation = [p for p in proposal.problems if "Renovation" in p]
    assert len(renovation) == 1, proposal.problems
    line = renovation[0]
    assert line.startswith(f"{site} is closed (Renovation) on 3 days: ")
    assert all(f"{day:%a %m/%d}" in line for day in closed)


def test_a_problem_on_one_day_names_that_day_first():
    from scheduling.services.planner import grouped_problems

    monday = next_monday()
    assert grouped_problems({"no chair is free": [monday]}) == [
        f"{monday:%a %m/%d}: no chair is free"
    ]


def _book_others(site, chairs, days, hours):
    """Other patients' visits (2 h each) in every chair at ``hours`` on ``days``."""
    from tests.factories import AppointmentFactory, CourseFactory

    booked = []
    for day in days:
        for hour in hours:
            for chair in chairs:
                course = CourseFactory(location=site)
                booked.append(
                    AppointmentFactory(course=course, chair=chair, starts_at=at(day, hour))
                )
    return booked


def test_a_proposal_reads_the_bookings_once_however_many_there_are(
    patient, protocol, site, chairs, django_assert_max_num_queries
):
    """The planner tries hundreds of times and chairs; its queries do not grow with the
    site's bookings (it made about 5,800 at a busy scale site), and it keeps every rule."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monday = next_monday()
    first = _book_others(site, chairs[:1], [monday], [15])
    with CaptureQueriesContext(connection) as one_booking:
        few = propose(patient, protocol, site, planned_infusions=8)
    assert few.sessions and few.sessions[0].starts_at.astimezone(LA) == at(monday, 9)

    days = [monday + datetime.timedelta(days=n) for n in range(28) if n % 7 in (0, 2, 4)]
    booked = first + _book_others(site, chairs, days, [9, 11])  # every chair, 09:00-13:00
    with django_assert_max_num_queries(len(one_booking)):
        many = propose(patient, protocol, site, planned_infusions=8)
    assert len(many.sessions) == 8
    for session in many.sessions:
        assert session.starts_at.astimezone(LA).time() == datetime.time(13)  # nearest free
        assert "no chair is free" in session.note
        assert not any(
            b.chair == session.chair
            and b.starts_at < session.ends_at
            and b.ends_at > session.starts_at
            for b in booked
        )
