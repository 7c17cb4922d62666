"""The measure schedule: versions made by the service, refusals that change nothing, and
the due measures of a course on its current sessions."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outcomes.defaults import DEFAULT_SCHEDULE
from outcomes.models import MeasureSchedule, ScheduledMeasure
from outcomes.schedule import Item, Timing
from outcomes.selectors import current_schedule, due_measures
from outcomes.services import measure_schedule_revise
from patients.services import measure_correct, measure_record
from scheduling import services as scheduling
from tests.factories import PatientFactory
from tests.helpers import book, make_bookable, mon_wed_fri, next_monday

LA = ZoneInfo("America/Los_Angeles")
FIQR_ONLY = [{"measure": "fiqr", "timing": "baseline", "param": None}]


def labels(due) -> list[str]:
    return [measure.label for measure in due]


def by_label(due, label):
    return next(measure for measure in due if measure.label == label)


def test_a_protocol_without_a_version_uses_the_default_schedule(protocol):
    current = current_schedule(protocol)
    assert current.is_default
    assert current.items == DEFAULT_SCHEDULE
    assert Item("fiqr", "after_infusion", 4) in current.items
    assert Item("phq9", "follow_up_days", 90) in current.items
    assert len(DEFAULT_SCHEDULE) == 2 + 6 + 6


def test_revising_makes_the_next_version_and_it_becomes_current(protocol, clinic_admin):
    first = measure_schedule_revise(
        protocol=protocol, items=FIQR_ONLY, note="FIQR only at first", by=clinic_admin
    )
    second = measure_schedule_revise(
        protocol=protocol,
        items=[*FIQR_ONLY, Item("pain_nrs", "after_infusion", 2)],
        note="Pain after the second",
        by=clinic_admin,
    )
    assert (first.number, second.number) == (1, 2)
    current = current_schedule(protocol)
    assert current.version == second
    assert current.items == (Item("pain_nrs", "after_infusion", 2), Item("fiqr", "baseline"))


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([{"measure": "acr_2016", "timing": "baseline"}], "Unknown measure"),
        ([{"measure": "fiqr", "timing": "weekly"}], "Unknown timing"),
        ([{"measure": "fiqr", "timing": "after_infusion"}], "Give the infusion number"),
        ([{"measure": "fiqr", "timing": "after_infusion", "param": 13}], "from 1 to 12"),
        ([{"measure": "fiqr", "timing": "follow_up_days", "param": 0}], "from 1 to 365"),
        ([{"measure": "fiqr", "timing": "follow_up_days", "param": 366}], "from 1 to 365"),
        ([{"measure": "fiqr", "timing": "baseline", "param": 3}], "takes no number"),
        ([*FIQR_ONLY, *FIQR_ONLY], "listed twice"),
        ([], "at least one"),
        (list(DEFAULT_SCHEDULE), "Nothing differs"),
    ],
)
def test_bad_items_are_refused_and_nothing_is_written(protocol, clinic_admin, items, message):
    with pytest.raises(ValidationError) as refused:
        measure_schedule_revise(protocol=protocol, items=items, note="try", by=clinic_admin)
    assert message in " ".join(refused.value.message_dict["items"])
    assert not MeasureSchedule.objects.exists()
    assert not ScheduledMeasure.objects.exists()


def test_a_revision_without_a_note_is_refused(protocol, clinic_admin):
    with pytest.raises(ValidationError) as refused:
        measure_schedule_revise(protocol=protocol, items=FIQR_ONLY, note="  ", by=clinic_admin)
    assert "note" in refused.value.message_dict
    assert not MeasureSchedule.objects.exists()


@pytest.mark.parametrize("who", ["nurse", "physician", "front_desk"])
def test_only_a_clinic_admin_revises_a_schedule(request, protocol, who):
    with pytest.raises(PermissionDenied):
        measure_schedule_revise(
            protocol=protocol, items=FIQR_ONLY, note="x", by=request.getfixturevalue(who)
        )
    assert not MeasureSchedule.objects.exists()


def test_the_database_refuses_to_change_a_version(protocol, clinic_admin):
    from django.db import InternalError, transaction

    schedule = measure_schedule_revise(
        protocol=protocol, items=FIQR_ONLY, note="x", by=clinic_admin
    )
    with pytest.raises(InternalError), transaction.atomic():
        ScheduledMeasure.objects.filter(schedule=schedule).update(timing=Timing.END_OF_COURSE)


# --- Due measures on a course -----------------------------------------------------------------


@pytest.fixture
def course_of(patient, protocol, site, chairs, shifts, front_desk):
    def _book(count):
        starts = mon_wed_fri(next_monday(), count)
        return book(patient, protocol, site, starts, chairs[0], shifts, front_desk)

    return _book


@pytest.mark.parametrize("count", [8, 12])
def test_the_default_schedule_on_a_course(course_of, count):
    course = course_of(count)
    due = due_measures(course)
    visits = list(course.appointments.order_by("starts_at"))
    assert len(due) == 2 * count + 6 + 6
    assert not any(measure.answered for measure in due)
    fiqr_mid = by_label(due, "FIQR after infusion 4")
    assert fiqr_mid.appointment == visits[3]
    assert fiqr_mid.due_at == visits[3].infusion_ends_at
    assert by_label(due, "PHQ-9 at baseline").appointment == visits[0]
    assert by_label(due, "FIQR at the end of the course").appointment == visits[-1]
    assert by_label(due, f"Pain NRS before infusion {count}").appointment == visits[-1]
    follow_up = by_label(due, "Pain NRS 90 days after the last infusion")
    assert follow_up.appointment is None
    # 90 days on the site's calendar, at the same wall-clock time even across a DST change.
    last_end = visits[-1].ends_at.astimezone(LA)
    follow_up_due = follow_up.due_at.astimezone(LA)
    assert follow_up_due.date() == last_end.date() + datetime.timedelta(days=90)
    assert follow_up_due.time() == last_end.time()
    assert [m.due_at for m in due] == sorted(m.due_at for m in due)


@pytest.mark.parametrize(("count", "middle"), [(8, 4), (12, 7)])
def test_a_reschedule_in_the_middle_moves_the_due_dates(course_of, front_desk, count, middle):
    course = course_of(count)
    moved = course.appointments.get(sequence=middle)  # a Monday in both courses
    new_start = moved.starts_at + datetime.timedelta(days=1)  # Monday -> Tuesday
    scheduling.appointment_reschedule(appointment=moved, starts_at=new_start, changed_by=front_desk)
    moved.refresh_from_db()
    due = due_measures(course)
    assert len(due) == 2 * count + 6 + 6  # nothing gained or lost by the move
    label = f"infusion {middle}"
    assert by_label(due, f"Pain NRS before {label}").due_at == moved.infusion_starts_at
    assert by_label(due, f"Pain NRS after {label}").due_at == moved.infusion_ends_at
    fourth = course.appointments.get(sequence=4)
    assert by_label(due, "FIQR after infusion 4").due_at == fourth.infusion_ends_at
    assert moved.starts_at == new_start
    assert [m.due_at for m in due] == sorted(m.due_at for m in due)


def test_a_cancelled_session_does_not_count(course_of, front_desk):
    course = course_of(8)
    third = course.appointments.get(sequence=3)
    scheduling.appointment_transition(
        appointment=third, to_status="cancelled", changed_by=front_desk, reason="ill"
    )
    due = due_measures(course)
    visits = list(course.appointments.exclude(pk=third.pk).order_by("starts_at"))
    assert len(due) == 2 * 7 + 12
    assert by_label(due, "FIQR after infusion 4").appointment == visits[3]
    assert all(measure.appointment != third for measure in due)


def test_answers_count_only_in_their_window_and_context(course_of, nurse):
    course = course_of(8)
    first = course.appointments.get(sequence=1)

    def record(moment, context, score=5):
        with time_machine.travel(moment):
            return measure_record(
                patient=course.patient, kind="pain_nrs", answers={"score": score},
                recorded_by=nurse, context=context,
            )  # fmt: skip

    record(first.starts_at - datetime.timedelta(days=3), "pre_infusion")  # too early
    due = due_measures(course)
    assert not by_label(due, "Pain NRS before infusion 1").answered
    record(first.starts_at + datetime.timedelta(minutes=5), "pre_infusion")
    wrong = record(first.infusion_ends_at + datetime.timedelta(minutes=10), "post_infusion", 9)
    with time_machine.travel(first.ends_at + datetime.timedelta(hours=2)):
        measure_correct(measure=wrong, answers={"score": 4}, reason="typo", corrected_by=nurse)
    due = due_measures(course)
    assert by_label(due, "Pain NRS before infusion 1").answered
    # The correction takes the original's place (and time): still answered, once.
    assert by_label(due, "Pain NRS after infusion 1").answered
    assert not by_label(due, "Pain NRS before infusion 2").answered
    assert not by_label(due, "FIQR at baseline").answered


def test_due_measures_costs_the_same_queries_for_8_and_12_sessions(
    course_of, protocol, site, chairs, shifts, front_desk, clinic_admin
):
    measure_schedule_revise(
        protocol=protocol,
        items=[*DEFAULT_SCHEDULE, Item("fiqr", "after_infusion", 8)],
        note="And after the eighth",
        by=clinic_admin,
    )
    other = make_bookable(PatientFactory(home_location=site), shifts)
    short = course_of(8)
    long = book(other, protocol, site, mon_wed_fri(next_monday(), 12, hour=13), chairs[1],
                shifts, front_desk)  # fmt: skip
    counts = []
    for course in (short, long):
        with CaptureQueriesContext(connection) as queries:
            due = due_measures(course)
        counts.append(len(queries))
    assert len(due) == 2 * 12 + 6 + 6 + 1
    assert counts == [5, 5]  # the protocol changes, the schedules (2), the sessions, the answers
