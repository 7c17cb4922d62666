"""Measurement-based care follows a change of protocol: after a physician's review changes a
course's protocol, the measures due after the change, the review point and the courses report
are the protocol in effect's (``scheduling.selectors.protocol``), the infusions before the
change keep what the old schedule asked of them, and a review is due again at the new
protocol's review point counted from the change."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outcomes.course_outcome import course_outcome
from outcomes.reviews import review_gate, reviews_due_for
from outcomes.schedule import Item
from outcomes.selectors import due_measures, due_measures_of, review_point
from outcomes.services import course_review_record, measure_schedule_revise
from scheduling.models import Appointment, AppointmentStatus, Course
from scheduling.selectors.protocol import (
    course_protocol_in_effect,
    protocol_in_effect_sql,
    protocol_periods,
    with_protocol_in_effect,
)
from scheduling.services import course_protocol_change
from tests.factories import AppointmentFactory, PatientFactory, ProtocolFactory
from tests.helpers import GOOD, make_bookable

from .course_helpers import after, answer, course_of_visits, fiqr, give, phq9, visits

# The new protocol's schedule: pain around each infusion, PHQ-9 after its 2nd infusion, FIQR
# at the end, pain 14 days after; a review after its 2nd infusion.
NEW_ITEMS = [
    Item("pain_nrs", "before_each"),
    Item("pain_nrs", "after_each"),
    Item("phq9", "after_infusion", 2),
    Item("fiqr", "end_of_course"),
    Item("pain_nrs", "follow_up_days", 14),
]


def labels(due) -> list[str]:
    return [d.label for d in due]


def by_label(due, label):
    return next(d for d in due if d.label == label)


@pytest.fixture
def new_protocol(physician, clinic_admin):
    protocol = ProtocolFactory(
        name="Fibromyalgia 0.75 mg/kg over 40 min", created_by=physician,
        mg_per_kg=Decimal("0.75"),
    )  # fmt: skip
    measure_schedule_revise(
        protocol=protocol, items=NEW_ITEMS, note="Shorter follow-up", by=clinic_admin,
        review_after_infusion=2,
    )  # fmt: skip
    return protocol


def change_after_4(course, physician, new_protocol):
    """Four infusions given, then the physician's review changes the protocol."""
    give(*visits(course)[:4])
    return course_review_record(
        course=course, decision="change_protocol", reason="Pain barely moved",
        by=physician, new_protocol=new_protocol,
    )  # fmt: skip


def eight(patient, protocol, site, nurse, front_desk):
    return course_of_visits(
        patient=patient, protocol=protocol, site=site, nurse=nurse, booked_by=front_desk, count=8
    )


# --- The one selector ------------------------------------------------------------------------


def test_the_protocol_in_effect_is_the_newest_change_in_every_shape(
    patient, protocol, site, nurse, front_desk, physician, new_protocol
):
    course = eight(patient, protocol, site, nurse, front_desk)
    third = ProtocolFactory(name="Third", created_by=physician)

    def shapes():
        annotated = with_protocol_in_effect(Course.objects.filter(pk=course.pk)).get()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {protocol_in_effect_sql('c')} FROM scheduling_course c WHERE c.id = %s",  # noqa: S608
                [course.pk],
            )
            by_sql = cursor.fetchone()[0]
        return (
            course_protocol_in_effect(course).pk,
            Course.objects.get(pk=course.pk).protocol_in_force.pk,
            annotated.protocol_in_effect_id,
            by_sql,
            protocol_periods([course])[course.pk][-1].protocol_id,
        ), (annotated.protocol_in_effect_name, annotated.protocol_changed_after)

    assert shapes() == ((protocol.pk,) * 5, (protocol.name, None))
    give(*visits(course)[:4])
    course_protocol_change(course=course, protocol=new_protocol, by=physician, reason="More")
    assert shapes() == ((new_protocol.pk,) * 5, (new_protocol.name, 4))
    give(*visits(course)[4:6])
    course_protocol_change(course=course, protocol=third, by=physician, reason="Again")
    assert shapes() == ((third.pk,) * 5, (third.name, 6))
    assert [(p.protocol_id, p.after_infusions) for p in protocol_periods([course])[course.pk]] == [
        (protocol.pk, 0), (new_protocol.pk, 4), (third.pk, 6)
    ]  # fmt: skip
    course.refresh_from_db()
    assert course.protocol == protocol  # the booking is never rewritten


def test_the_sql_selector_takes_only_an_alias():
    with pytest.raises(ValueError):
        protocol_in_effect_sql("c; DROP TABLE x")


# --- The measure schedule --------------------------------------------------------------------


def test_a_course_changed_after_infusion_4_gets_the_new_protocols_measures(
    patient, protocol, site, nurse, front_desk, physician, new_protocol
):
    course = eight(patient, protocol, site, nurse, front_desk)
    v = visits(course)
    before_change = labels(due_measures(course))
    assert "PHQ-9 at the end of the course" in before_change
    answer(patient, nurse, after(v[3]), "fiqr", "post_infusion", fiqr(5))
    change_after_4(course, physician, new_protocol)

    due = due_measures(course)
    found = labels(due)
    # Infusions 1-4 keep the booked protocol's (default) items, answers included.
    assert "PHQ-9 at baseline" in found and "FIQR at baseline" in found
    assert by_label(due, "FIQR after infusion 4").answered
    assert by_label(due, "FIQR after infusion 4").appointment == v[3]
    # After it, the new protocol's: "after infusion 2" is the 2nd after the change.
    phq = by_label(due, "PHQ-9 after infusion 6")
    assert (phq.appointment, phq.infusion, phq.param) == (v[5], 6, 6)
    assert by_label(due, "FIQR at the end of the course").appointment == v[7]
    assert "Pain NRS 14 days after the last infusion" in found
    # The old protocol's later items are gone: its end of course, its follow-ups.
    for gone in ("PHQ-9 at the end of the course", "FIQR 30 days after the last infusion",
                 "Pain NRS 90 days after the last infusion", "PHQ-9 after infusion 4"):  # fmt: skip
        assert (gone in found) == (gone == "PHQ-9 after infusion 4"), gone
    assert [f"Pain NRS before infusion {n}" in found for n in range(1, 9)] == [True] * 8
    # 2 x 8 pain + 4 baseline-to-4 (FIQR, PHQ-9 at baseline and after 4) + PHQ-9 after 6 +
    # FIQR at the end + pain 14 days after.
    assert len(due) == 16 + 4 + 3


def test_a_change_before_any_infusion_makes_the_new_schedule_the_courses_own(
    patient, protocol, site, nurse, front_desk, physician, new_protocol
):
    course = eight(patient, protocol, site, nurse, front_desk)
    course_protocol_change(course=course, protocol=new_protocol, by=physician, reason="Wrong one")
    found = labels(due_measures(course))
    assert "PHQ-9 after infusion 2" in found
    assert "FIQR at baseline" not in found and "FIQR after infusion 4" not in found
    assert review_point(course).after == 2


def test_due_measures_cost_the_same_queries_for_1_and_many_changed_courses(
    patient, protocol, site, nurse, front_desk, physician, new_protocol
):
    def changed(who):
        course = eight(who, protocol, site, nurse, front_desk)
        change_after_4(course, physician, new_protocol)
        return course

    one = [changed(patient)]
    many = one + [changed(make_bookable(PatientFactory(home_location=site), nurse))
                  for _ in range(3)]  # fmt: skip
    counts, found = [], {}
    unchanged = eight(make_bookable(PatientFactory(home_location=site), nurse), protocol, site,
                      nurse, front_desk)  # fmt: skip
    for courses in (one, many, [unchanged]):
        with CaptureQueriesContext(connection) as queries:
            due = due_measures_of(courses)
        counts.append(len(queries))
        found.update(due)
    assert counts[0] == counts[1] == 5  # changes, schedules (2), sessions, answers
    assert counts[2] <= 5  # an unchanged course on the default schedule: no items to fetch
    assert all("PHQ-9 after infusion 6" in labels(found[c.pk]) for c in many)
    assert "PHQ-9 after infusion 6" not in labels(found[unchanged.pk])


# --- The review point and the gate -----------------------------------------------------------


@pytest.fixture
def seventh(appointment, nurse):
    """The visit of the ``appointment`` fixture (now) as the seventh of its course: four
    given sessions, then two still booked (given after the change)."""
    for number, days in enumerate((12, 10, 8, 6, 4, 2), start=1):
        AppointmentFactory(
            course=appointment.course, sequence=number, nurse=nurse, chair=appointment.chair,
            starts_at=appointment.starts_at - datetime.timedelta(days=days),
            status=AppointmentStatus.COMPLETED if number <= 4 else AppointmentStatus.SCHEDULED,
        )  # fmt: skip
    return appointment


def _give_5_and_6(course):
    Appointment.objects.filter(course=course, sequence__in=[5, 6]).update(
        status=AppointmentStatus.COMPLETED
    )


NEEDED_AGAIN = (
    "Physician review needed: this is infusion 7 of the course. The physician changed the "
    "protocol to Fibromyalgia 0.75 mg/kg over 40 min after infusion 4"
)


def test_the_new_protocols_review_point_counts_from_the_change(seventh, physician, new_protocol):
    course = seventh.course
    assert review_point(course).after == 4
    review = course_review_record(
        course=course, decision="change_protocol", reason="Pain barely moved", by=physician,
        new_protocol=new_protocol,
    )  # fmt: skip
    point = review_point(course)
    assert (point.after, point.changed_after, point.protocol_id) == (6, 4, new_protocol.pk)
    fifth = course.appointments.get(sequence=5)
    assert review_gate(fifth) == []  # before the new point: the change itself stands
    _give_5_and_6(course)
    reasons = review_gate(seventh)
    assert len(reasons) == 1 and reasons[0].startswith(NEEDED_AGAIN), reasons
    assert "the review comes after infusion 6 (2 infusions after the change)" in reasons[0]
    outcome = course_outcome(course)
    assert (outcome.review_after, outcome.review_due) == (6, True)
    again = course_review_record(
        course=course, decision="continue", reason="Better on the new dose", by=physician
    )
    assert again.supersedes == review and again.review_after == 6
    assert again.schedule.protocol == new_protocol  # the version that set the point
    assert review_gate(seventh) == []
    assert not course_outcome(course).review_due


def test_a_review_may_be_revised_before_the_new_point_and_a_stop_still_stops(
    seventh, physician, new_protocol
):
    course = seventh.course
    course_review_record(
        course=course, decision="change_protocol", reason="Pain barely moved", by=physician,
        new_protocol=new_protocol,
    )  # fmt: skip
    Appointment.objects.filter(course=course, sequence=5).update(status=AppointmentStatus.COMPLETED)
    # 5 given, the new point is 6: a physician may still stop the course now.
    course_review_record(course=course, decision="stop", reason="Nausea", by=physician)
    sixth = course.appointments.get(sequence=6)
    assert any("The physician stopped this course" in r for r in review_gate(sixth))


def test_the_reviews_due_list_counts_from_the_change_in_constant_queries(
    patient, protocol, site, nurse, front_desk, physician, new_protocol
):
    course = eight(patient, protocol, site, nurse, front_desk)
    change_after_4(course, physician, new_protocol)
    assert reviews_due_for(physician) == []  # the change is the review of the 4th
    give(visits(course)[4])
    assert reviews_due_for(physician) == []
    give(visits(course)[5])
    due = reviews_due_for(physician)
    assert [(d.course, d.given, d.review_after, d.protocol_name, d.changed_after)
            for d in due] == [(course, 6, 6, new_protocol.name, 4)]  # fmt: skip
    with CaptureQueriesContext(connection) as one:
        reviews_due_for(physician)
    for _ in range(3):
        other = eight(make_bookable(PatientFactory(home_location=site), nurse), protocol, site,
                      nurse, front_desk)  # fmt: skip
        change_after_4(other, physician, new_protocol)
        give(*visits(other)[4:6])
    with CaptureQueriesContext(connection) as many:
        assert len(reviews_due_for(physician)) == 4
    assert len(many) == len(one)
    course_review_record(course=course, decision="continue", reason="Better", by=physician)
    assert len(reviews_due_for(physician)) == 3


def test_the_chair_screen_says_the_review_is_due_again_after_the_change(
    login, seventh, record, nurse, physician, new_protocol
):
    from infusions.services import vitals_record

    course_review_record(
        course=seventh.course, decision="change_protocol", reason="Pain barely moved",
        by=physician, new_protocol=new_protocol,
    )  # fmt: skip
    _give_5_and_6(seventh.course)
    vitals_record(record=record, taken_by=nurse, **GOOD)
    text = login(nurse).get(reverse("infusions:chair", args=[seventh.pk])).content.decode()
    assert 'id="start-blockers"' in text
    assert NEEDED_AGAIN in text


# --- The courses report ----------------------------------------------------------------------


def test_the_courses_report_counts_a_course_under_the_protocol_in_effect(
    db, django_assert_num_queries
):
    from clinic.roles import Role
    from reports.scope import Scope
    from reports.selectors.courses import courses
    from tests.factories import UserFactory
    from tests.reports import world

    built = world.build_world()  # its own Irvine: no site fixtures here
    physician = UserFactory(username="report-md", role=Role.PHYSICIAN, locations=[built.irvine])
    c1 = built.appointments[1].course  # completed, pain 8 -> 5: a responder
    alpha = c1.protocol
    beta = ProtocolFactory(name="Gamma 0.75 mg/kg", created_by=physician)
    scope = Scope(world.MONDAY, world.SUNDAY, (built.irvine,))

    def rows(name):
        with django_assert_num_queries(2):
            report = courses(scope)
        table = next(t for t in report.tables if t.key == name)
        return {row["protocol"]: row for row in table.rows}

    before = rows("responders_by_protocol")[alpha.name]
    assert (before["completed"], before["responders"]) == (2, 1)
    course_protocol_change(course=c1, protocol=beta, by=physician, reason="More")
    responders = rows("responders_by_protocol")
    assert (responders[alpha.name]["completed"], responders[alpha.name]["responders"]) == (1, 0)
    assert (responders[beta.name]["completed"], responders[beta.name]["responders"]) == (1, 1)
    assert responders[beta.name]["responder_percent"] == Decimal("100.0")
    booked = rows("courses_by_protocol")
    assert booked[beta.name]["completed"] == 1 and booked[alpha.name]["completed"] == 1
    # Many changed courses: still two queries (the rows helper asserts it).
    for course in Course.objects.exclude(pk=c1.pk):
        if course.protocol_id != beta.pk:
            course_protocol_change(course=course, protocol=beta, by=physician, reason="All")
    assert set(rows("courses_by_protocol")) == {beta.name, "All protocols"}


def test_the_outcome_page_after_a_change_says_the_review_is_due_again(
    login, patient, protocol, site, nurse, front_desk, physician, new_protocol
):
    course = eight(patient, protocol, site, nurse, front_desk)
    change_after_4(course, physician, new_protocol)
    give(*visits(course)[4:6])
    answer(patient, nurse, after(visits(course)[5]), "phq9", "post_infusion", phq9(6))
    page = (
        login(physician).get(reverse("outcomes:course_outcome", args=[course.pk])).content.decode()
    )
    assert "Due again now" in page and "infusion 6 is given" in page
    outcome = course_outcome(course)
    assert [p.label for p in outcome.phq9.points] == ["After infusion 6"]
