"""A course's Good Faith Estimate is re-issued by itself when the course changes materially
(an infusion cancelled or added), replacing the one in force with the reason; a time moved
is not material."""

import datetime
from decimal import Decimal

import pytest

from billing.models import GoodFaithEstimate
from billing.services.reissue import estimated_infusions
from scheduling import services
from scheduling.models import AppointmentStatus
from tests.helpers import book_course

pytestmark = pytest.mark.usefixtures("shifts", "prices", "site_billing")


@pytest.fixture
def course(patient, protocol, site, chairs, nurse, front_desk):
    return book_course(patient, protocol, site, chairs[0], nurse, front_desk, count=8)


def in_force(course) -> GoodFaithEstimate:
    return GoodFaithEstimate.objects.get(course=course, superseded_by__isnull=True)


def test_cancelling_then_adding_a_session_re_issues_the_estimate(course, front_desk):
    first = in_force(course)
    assert estimated_infusions(first) == 8 and first.total_usd == Decimal("3800.00")
    third = course.appointments.get(sequence=3)
    services.appointment_transition(appointment=third, to_status=AppointmentStatus.CANCELLED,
                                    changed_by=front_desk, reason="Flu")  # fmt: skip
    fewer = in_force(course)
    assert fewer.supersedes == first and estimated_infusions(fewer) == 7
    assert fewer.total_usd == Decimal("3850.00")  # no package of 7: 7 x $550
    assert "8 to 7 infusions" in fewer.change_reason and fewer.issued_by == front_desk
    services.appointment_book_make_up(cancelled=third, booked_by=front_desk)
    again = in_force(course)
    assert again.supersedes == fewer and estimated_infusions(again) == 8
    assert "infusion added" in again.change_reason
    assert GoodFaithEstimate.objects.filter(course=course).count() == 3


def test_moving_a_session_in_time_is_not_material(course, front_desk):
    first = in_force(course)
    last = course.appointments.order_by("-starts_at").first()
    later = last.starts_at + datetime.timedelta(hours=2)
    services.appointment_reschedule(appointment=last, changed_by=front_desk, starts_at=later)
    assert in_force(course) == first
    assert GoodFaithEstimate.objects.filter(course=course).count() == 1


def test_cancelling_the_rest_of_a_course_issues_one_updated_estimate(course, front_desk):
    """Five sessions cancelled at once: one new estimate for the whole change, while the
    other listeners (webhooks, reminders) still hear each session."""
    from scheduling import hooks

    first = in_force(course)
    from tests.factories import on_the_visit_day

    for sequence in (1, 2, 3):  # no-shows still count as infusions (they may be charged)
        visit = course.appointments.get(sequence=sequence)
        with on_the_visit_day(visit, minutes_before=-30):  # once its time has come
            services.appointment_transition(
                appointment=visit, to_status=AppointmentStatus.NO_SHOW, changed_by=front_desk,
                reason="Did not come",
            )  # fmt: skip
    heard = []

    def each_session(appointment, change):
        heard.append((appointment.pk, change))

    hooks.on_appointment_changed(each_session)
    try:
        cancelled = services.course_cancel_remaining(
            course=course, changed_by=front_desk, reason="Moved away"
        )
    finally:
        hooks.appointment_changes.remove(each_session)
    assert cancelled == 5 and [c for _pk, c in heard] == ["cancelled"] * 5
    estimates = GoodFaithEstimate.objects.filter(course=course)
    assert estimates.count() == 2
    updated = in_force(course)
    assert updated.supersedes == first and estimated_infusions(updated) == 3
    assert "5 infusions cancelled" in updated.change_reason
    assert "8 to 3 infusions" in updated.change_reason and updated.issued_by == front_desk


def test_a_refused_cancel_of_the_rest_announces_nothing(course, nurse, front_desk):
    from django.core.exceptions import PermissionDenied, ValidationError

    first = in_force(course)
    with pytest.raises(PermissionDenied):
        services.course_cancel_remaining(course=course, changed_by=nurse, reason="x")
    with pytest.raises(ValidationError):
        services.course_cancel_remaining(course=course, changed_by=front_desk, reason=" ")
    assert list(GoodFaithEstimate.objects.filter(course=course)) == [first]
    assert not course.appointments.filter(status=AppointmentStatus.CANCELLED).exists()


def test_an_estimate_prepared_after_a_cancellation_counts_the_sessions_left(
    patient, protocol, site, chairs, nurse, front_desk, monkeypatch
):
    """No estimate at booking (the site's prices came later, say); the desk prepares one
    for a course one of whose sessions is already cancelled: 7 infusions, not the 8 once
    planned (the count a re-issue uses)."""
    from billing import services as billing
    from scheduling import hooks

    monkeypatch.setattr(hooks, "course_booked", [])
    course = book_course(patient, protocol, site, chairs[0], nurse, front_desk, count=8)
    third = course.appointments.get(sequence=3)
    services.appointment_transition(appointment=third, to_status=AppointmentStatus.CANCELLED,
                                    changed_by=front_desk, reason="Flu")  # fmt: skip
    estimate = billing.estimate_issue(patient=course.patient, by=front_desk, course=course)
    assert estimated_infusions(estimate) == 7 and estimate.total_usd == Decimal("3850.00")
