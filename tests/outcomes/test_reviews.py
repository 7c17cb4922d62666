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


CHECK_IN_GATE = "This session cannot start until the physician&#x27;s review is recorded."


def test_the_check_in_page_says_the_session_waits_for_the_review_before_check_in(
    login, fifth, nurse, physician
):
    page = login(nurse).get(reverse("infusions:chair", args=[fifth.pk]))
    text = page.content.decode()
    assert 'id="check-in"' in text  # the check-in form, not the chair screen
    assert CHECK_IN_GATE in text and REVIEW_NEEDED in text
    assert 'class="banner danger check-in-notice" role="alert"' in text
    review(fifth.course, physician)
    assert CHECK_IN_GATE not in login(nurse).get(
        reverse("infusions:chair", args=[fifth.pk])
    ).content.decode()  # fmt: skip


def test_the_check_in_page_says_a_stopped_course_does_not_go_on(login, fifth, nurse, physician):
    review(fifth.course, physician, "stop", reason="No change in pain after four")
    text = login(nurse).get(reverse("infusions:chair", args=[fifth.pk])).content.decode()
    assert CHECK_IN_GATE in text and "The physician stopped this course" in text


def test_the_physicians_work_waiting_counts_the_reviews_due_in_constant_queries(
    login, patient, protocol, site, nurse, front_desk, physician, django_assert_max_num_queries
):
    from infusions.selectors.homes import physician_work_waiting
    from tests.factories import PatientFactory
    from tests.helpers import make_bookable

    def due_course(who):
        course = course_of_visits(
            patient=who, protocol=protocol, site=site, nurse=nurse, booked_by=front_desk,
            count=8,
        )  # fmt: skip
        give(*visits(course)[:4])
        return course

    due_course(patient)
    client = login(physician)
    url = reverse("infusions:physician_home")
    client.get(url)  # warm the session
    with django_assert_max_num_queries(60) as one_due:
        page = client.get(url).content.decode()
    counts = {item.key: item for item in physician_work_waiting(physician)}
    assert counts["course_reviews_due"].count == 1
    assert counts["course_reviews_due"].url == reverse("outcomes:reviews_due")
    assert 'data-key="course_reviews_due"' in page
    for _ in range(3):
        due_course(make_bookable(PatientFactory(home_location=site), nurse))
    with django_assert_max_num_queries(len(one_due.captured_queries)):
        client.get(url)
    assert {i.key: i.count for i in physician_work_waiting(physician)}["course_reviews_due"] == 4
    listing = client.get(reverse("outcomes:reviews_due")).content.decode()
    assert "<h1>Course reviews due</h1>" in listing and patient.display_name in listing
    body = client.get("/api/v1/work-waiting/").json()
    assert {i["key"]: i["count"] for i in body["items"]}["course_reviews_due"] == 4


def _other_protocol(physician, **numbers):
    from decimal import Decimal

    from tests.factories import ProtocolFactory

    return ProtocolFactory(
        name=numbers.pop("name", "Fibromyalgia 0.75 mg/kg over 40 min"),
        created_by=physician, mg_per_kg=Decimal("0.75"), **numbers,
    )  # fmt: skip


def test_a_change_of_protocol_runs_the_later_doses_under_the_new_protocol(fifth, physician, nurse):
    from decimal import Decimal

    from infusions.services import dose_order_create
    from scheduling.models import CourseProtocolChange
    from tests.helpers import weigh

    course = fifth.course
    booked_under = course.protocol
    new = _other_protocol(physician)
    review(course, physician, "change_protocol", new_protocol=new, reason="Pain barely moved")
    change = CourseProtocolChange.objects.get(course=course)
    assert (change.from_protocol, change.protocol, change.after_infusions) == (
        booked_under, new, 4
    )  # fmt: skip
    course.refresh_from_db()
    assert course.protocol == booked_under  # the booking is not rewritten
    assert type(course).objects.get(pk=course.pk).protocol_in_force == new
    assert review_gate(fifth) == []  # same infusion time: the session goes ahead
    weight = weigh(fifth, nurse, "70")
    order = dose_order_create(
        appointment=fifth, weight=weight, vial_mg_per_ml=Decimal("50"), created_by=nurse
    )
    assert order.protocol_version.protocol == new
    assert order.dose_mg == Decimal("52.5")  # 70 kg x 0.75 mg/kg, not 35 mg
    with pytest.raises(InternalError), transaction.atomic():
        CourseProtocolChange.objects.filter(pk=change.pk).update(reason="edited")


def test_a_dose_ordered_before_the_change_must_be_ordered_again(order, fifth, physician):
    new = _other_protocol(physician)
    review(fifth.course, physician, "change_protocol", new_protocol=new, reason="Try more")
    assert any("order the dose again" in reason for reason in review_gate(fifth))


def test_a_longer_infusion_makes_the_desk_replan_the_booked_sessions(
    login, fifth, physician, front_desk
):
    import datetime as dt

    from scheduling.selectors.replan import sessions_to_replan, visit_shape

    new = _other_protocol(
        physician, name="Fibromyalgia 0.75 mg/kg over 60 min", infusion_minutes=60
    )
    review(fifth.course, physician, "change_protocol", new_protocol=new, reason="Slower")
    assert sessions_to_replan(fifth.course) == [fifth]
    assert any("the front desk replans it" in reason for reason in review_gate(fifth))
    assert visit_shape(fifth)[2] == dt.timedelta(minutes=60)  # its make-up runs 60 minutes
    assert list(stopped_with_sessions_booked(front_desk)) == [fifth.course]
    page = login(front_desk).get(reverse("outcomes:boosters")).content.decode()
    assert "Cancel the sessions to replan" in page
    assert stopped_course_cancel(course=fifth.course, by=front_desk) == 1
    fifth.refresh_from_db()
    assert fifth.status == AppointmentStatus.CANCELLED
    assert list(stopped_with_sessions_booked(front_desk)) == []
    outcome = login(physician).get(reverse("outcomes:course_outcome", args=[fifth.course.pk]))
    assert "changed to <strong>Fibromyalgia 0.75 mg/kg over 60 min</strong> after infusion 4" in (
        outcome.content.decode()
    )  # fmt: skip
