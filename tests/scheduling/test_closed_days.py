"""Closed days: US federal holidays (per site, on by default) and the site's own closures.
The planner never proposes one and booking refuses one, saying why."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from clinic.errors import ConflictError
from scheduling import closures
from scheduling.models import Appointment, ClosedDay, LocationSchedule
from scheduling.services import Wishes, course_propose
from scheduling.services.site_setup import closed_day_add, closed_day_remove, federal_holidays_set
from tests.helpers import LA, at, book, mon_wed_fri

pytestmark = [pytest.mark.usefixtures("shifts"), pytest.mark.federal_holidays]

FIRST_MONDAY = datetime.date(2027, 1, 11)
MLK_DAY = datetime.date(2027, 1, 18)


@pytest.fixture(autouse=True)
def early_january_2027():
    with time_machine.travel(datetime.datetime(2027, 1, 4, 12, tzinfo=LA), tick=False):
        yield


def propose(patient, protocol, site, **overrides):
    values = {
        "start_date": FIRST_MONDAY,
        "weekdays": (0, 2, 4),
        "preferred_time": datetime.time(9),
        "sessions_per_week": 3,
        "planned_infusions": 8,
    }
    return course_propose(
        patient=patient, protocol=protocol, location=site, wishes=Wishes(**(values | overrides))
    )


def proposed_days(proposal):
    return [s.starts_at.astimezone(LA).date() for s in proposal.sessions]


def test_the_federal_calendar_knows_observed_days():
    assert closures.federal_holiday(datetime.date(2027, 7, 5)) == "Independence Day (observed)"
    assert closures.federal_holiday(MLK_DAY) == "Martin Luther King Jr. Day"
    assert closures.federal_holiday(datetime.date(2027, 7, 6)) is None


def test_the_planner_skips_a_federal_holiday_and_names_it(patient, protocol, site, chairs):
    proposal = propose(patient, protocol, site)
    assert len(proposal.sessions) == 8
    assert MLK_DAY not in proposed_days(proposal)
    assert any(
        "01/18" in p and "Martin Luther King Jr. Day, a US federal holiday" in p
        for p in proposal.problems
    ), proposal.problems


def test_the_planner_says_when_a_course_cannot_fit_around_closed_days(
    patient, protocol, site, chairs, clinic_admin
):
    for offset in range(1, 28):
        day = MLK_DAY + datetime.timedelta(days=offset)
        if day.weekday() == 0:
            closed_day_add(actor=clinic_admin, location=site, date=day, reason="Renovation")
    proposal = propose(patient, protocol, site, weekdays=(0,), sessions_per_week=1)
    assert not any(d.weekday() == 0 and d > FIRST_MONDAY for d in proposed_days(proposal))
    assert any("Renovation" in p for p in proposal.problems)
    assert any(p.startswith("Only 1 of 8 infusions fit") for p in proposal.problems)


def test_booking_on_a_federal_holiday_is_refused_with_the_reason(
    patient, protocol, site, chairs, nurse, front_desk
):
    starts = mon_wed_fri(FIRST_MONDAY, 8)
    assert at(MLK_DAY, 9) in starts
    with pytest.raises(ValidationError) as refused:
        book(patient, protocol, site, starts, chairs[0], nurse, front_desk)
    assert "closed on 01/18/2027 (Martin Luther King Jr. Day" in str(refused.value)
    assert not Appointment.objects.exists()


def test_a_site_that_opens_on_federal_holidays_can_book_them(
    patient, protocol, site, chairs, nurse, front_desk, clinic_admin
):
    federal_holidays_set(actor=clinic_admin, location=site, follow=False)
    course = book(
        patient, protocol, site, mon_wed_fri(FIRST_MONDAY, 8), chairs[0], nurse, front_desk
    )
    assert course.appointments.count() == 8


def test_a_site_closure_is_recorded_with_who_added_it_and_blocks_booking(
    patient, protocol, site, chairs, nurse, front_desk, clinic_admin
):
    wednesday = FIRST_MONDAY + datetime.timedelta(days=2)
    closure = closed_day_add(actor=clinic_admin, location=site, date=wednesday, reason="Flood")
    assert closure.added_by == clinic_admin
    with pytest.raises(ValidationError, match=r"closed on 01/13/2027 \(Flood\)"):
        book(patient, protocol, site, mon_wed_fri(FIRST_MONDAY, 8), chairs[0], nurse, front_desk)


def test_closing_a_day_twice_or_over_booked_infusions_is_refused(
    patient, protocol, site, chairs, nurse, front_desk, clinic_admin
):
    federal_holidays_set(actor=clinic_admin, location=site, follow=False)
    book(patient, protocol, site, mon_wed_fri(FIRST_MONDAY, 8), chairs[0], nurse, front_desk)
    with pytest.raises(ConflictError, match="reschedule them first"):
        closed_day_add(actor=clinic_admin, location=site, date=FIRST_MONDAY, reason="Staff day")
    sunday = FIRST_MONDAY - datetime.timedelta(days=1)
    closed_day_add(actor=clinic_admin, location=site, date=sunday, reason="Staff day")
    with pytest.raises(ValidationError, match="already closed"):
        closed_day_add(actor=clinic_admin, location=site, date=sunday, reason="Again")
    assert ClosedDay.objects.count() == 1


def test_only_a_clinic_admin_closes_or_reopens_a_day(site, nurse, front_desk, clinic_admin):
    with pytest.raises(PermissionDenied):
        closed_day_add(actor=front_desk, location=site, date=MLK_DAY, reason="x")
    closure = closed_day_add(actor=clinic_admin, location=site, date=MLK_DAY, reason="Extra")
    with pytest.raises(PermissionDenied):
        closed_day_remove(actor=nurse, closure=closure)
    closed_day_remove(actor=clinic_admin, closure=closure)
    assert not ClosedDay.objects.exists()


def test_new_sites_follow_federal_holidays_by_default(site):
    assert LocationSchedule.for_location(site).follows_federal_holidays
    listed = closures.closed_dates_between(site, FIRST_MONDAY, datetime.date(2027, 2, 28))
    assert [(c.date, c.closure) for c in listed] == [
        (MLK_DAY, None),
        (datetime.date(2027, 2, 15), None),
    ]
