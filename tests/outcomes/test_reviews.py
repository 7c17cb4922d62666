"""The physician's review of a course: the service (append-only, a new review supersedes),
the gate (no session after the review point starts without one; the chair screen says why),
the physician's list of reviews due and the front desk's list of stopped courses."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InternalError, transaction
from django.urls import reverse

from infusions.services import infusion_may_start, vitals_record
from outcomes.defaults import DEFAULT_SCHEDULE
from outcomes.models import CourseReview
from outcomes.reviews import review_gate, reviews_due_for, stopped_with_sessions_booked
from outcomes.services import course_review_record, measure_schedule_revise, stopped_course_cancel
from scheduling.models import AppointmentStatus
from tests.factories import AppointmentFactory
from tests.helpers import GOOD

from .course_helpers import course_of_visits, give, visits

REVIEW_NEEDED = "Physician review needed: this is infusion 5 of the course"


@pytest.fixture
def fifth(appointment, nurse):
    """The visit of the ``appointment`` fixture (now, checked-in-able) as the fifth of its
    course: four given sessions before it."""
    for days in (8, 6, 4, 2):
        AppointmentFactory(
            course=appointment.course, sequence=10 - days // 2, nurse=nurse,
            chair=appointment.chair,
            starts_at=appointment.starts_at - datetime.timedelta(days=days),
            status=AppointmentStatus.COMPLETED,
        )  # fmt: skip
    return appointment


def review(course, physician, decision="continue", **kwargs):
    return course_review_record(
        course=course, decision=decision, reason=kwargs.pop("reason", "FIQR and pain down"),
        by=physician, **kwargs,
    )  # fmt: skip


def test_a_session_after_infusion_4_cannot_start_until_the_review_exists(
    fifth, verified_order, physician
):
    reasons = infusion_may_start(verified_order)
    assert any(reason.startswith(REVIEW_NEEDED) for reason in reasons)
    review(fifth.course, physician)
    assert not any("review" in reason for reason in infusion_may_start(verified_order))


def test_sessions_up_to_the_review_point_need_no_review(appointment, nurse):
    for days in (6, 4, 2):
        AppointmentFactory(
            course=appointment.course, sequence=9 - days // 2, nurse=nurse,
            chair=appointment.chair,
            starts_at=appointment.starts_at - datetime.timedelta(days=days),
            status=AppointmentStatus.COMPLETED,
        )  # fmt: skip
    assert review_gate(appointment) == []  # the fourth


def test_a_cancelled_earlier_session_does_not_count_towards_the_point(fifth, front_desk):
    from scheduling.models import Appointment

    Appointment.objects.filter(course=fifth.course, sequence=6).update(
        status=AppointmentStatus.CANCELLED
    )
    assert review_gate(fifth) == []  # now the fourth current session


def test_the_review_point_comes_from_the_measure_schedule(fifth, clinic_admin, physician):
    measure_schedule_revise(
        protocol=fifth.course.protocol, items=DEFAULT_SCHEDULE, note="Review after the 5th",
        by=clinic_admin, review_after_infusion=5,
    )  # fmt: skip
    assert review_gate(fifth) == []
    with pytest.raises(ValidationError) as refused:
        review(fifth.course, physician)  # 4 given: too early for a review after the 5th
    assert "after infusion 5; 4 given so far" in str(refused.value)


def test_the_chair_screen_says_why_the_infusion_cannot_start(
    login, fifth, record, nurse, physician
):
    vitals_record(record=record, taken_by=nurse, **GOOD)  # baseline: the start step shows
    page = login(physician).get(reverse("infusions:chair", args=[fifth.pk]))
    text = page.content.decode()
    assert 'id="start-blockers"' in text
    assert REVIEW_NEEDED in text
    review(fifth.course, physician)
    page = login(physician).get(reverse("infusions:chair", args=[fifth.pk]))
    assert REVIEW_NEEDED not in page.content.decode()


def test_a_stop_keeps_the_rest_from_starting_until_the_desk_cancels_it(
    fifth, verified_order, physician, front_desk
):
    review(fifth.course, physician, "stop", reason="No change in pain after four")
    reasons = infusion_may_start(verified_order)
    assert any("The physician stopped this course" in reason for reason in reasons)
    assert list(stopped_with_sessions_booked(front_desk)) == [fifth.course]
    cancelled = stopped_course_cancel(course=fifth.course, by=front_desk)
    assert cancelled == 1
    fifth.refresh_from_db()
    assert fifth.status == AppointmentStatus.CANCELLED
    assert list(stopped_with_sessions_booked(front_desk)) == []


def test_a_new_review_supersedes_and_nothing_is_edited(fifth, physician):
    first = review(fifth.course, physician, "stop", reason="No change")
    second = review(fifth.course, physician, "continue", reason="Pain diary shows relief")
    assert second.supersedes == first
    assert review_gate(fifth) == []
    with pytest.raises(InternalError), transaction.atomic():
        CourseReview.objects.filter(pk=first.pk).update(reason="changed")
    assert second.outcome["infusions_given"] == 4


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": "  "}, "reason"),
        ({"decision": "pause"}, "decision"),
        ({"decision": "change_protocol"}, "new_protocol"),
    ],
)
def test_bad_reviews_are_refused_and_nothing_is_written(fifth, physician, changes, field):
    with pytest.raises(ValidationError) as refused:
        review(fifth.course, physician, **{"decision": "continue", **changes})
    assert field in refused.value.message_dict
    assert not CourseReview.objects.exists()


def test_a_change_of_protocol_names_an_active_other_protocol(fifth, physician):
    with pytest.raises(ValidationError) as refused:
        review(fifth.course, physician, "change_protocol", new_protocol=fifth.course.protocol)
    assert "new_protocol" in refused.value.message_dict


@pytest.mark.parametrize("who", ["nurse", "front_desk", "clinic_admin"])
def test_only_a_physician_reviews(request, fifth, who):
    with pytest.raises(PermissionDenied):
        review(fifth.course, request.getfixturevalue(who))
    assert not CourseReview.objects.exists()


def test_the_physician_sees_the_reviews_due(
    patient, protocol, site, nurse, front_desk, physician, other_site
):
    course = course_of_visits(
        patient=patient, protocol=protocol, site=site, nurse=nurse, booked_by=front_desk, count=8
    )
    give(*visits(course)[:3])
    assert reviews_due_for(physician) == []
    give(visits(course)[3])
    due = reviews_due_for(physician)
    assert [(d.course, d.given, d.review_after) for d in due] == [(course, 4, 4)]
    review(course, physician)
    assert reviews_due_for(physician) == []


def test_the_review_point_is_revised_with_the_schedule_and_checked(protocol, clinic_admin):
    with pytest.raises(ValidationError) as refused:
        measure_schedule_revise(
            protocol=protocol, items=DEFAULT_SCHEDULE, note="x", by=clinic_admin,
            review_after_infusion=13,
        )  # fmt: skip
    assert "review_after_infusion" in refused.value.message_dict
    # The same items with another review point is a change: the next version.
    version = measure_schedule_revise(
        protocol=protocol, items=DEFAULT_SCHEDULE, note="Review after the 6th",
        by=clinic_admin, review_after_infusion=6,
    )  # fmt: skip
    assert (version.number, version.review_after_infusion) == (1, 6)
    with pytest.raises(ValidationError):
        measure_schedule_revise(
            protocol=protocol, items=DEFAULT_SCHEDULE, note="again", by=clinic_admin,
            review_after_infusion=6,
        )  # fmt: skip
