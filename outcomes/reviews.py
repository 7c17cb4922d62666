"""Reads about the physician's review of a course: where a session stands against the
review point, the gate the infusion start asks (``review_gate``, registered in
``scheduling.hooks.infusion_gates`` by ``OutcomesConfig.ready``), the courses whose review is
due (the physician's home) and those a review stopped whose sessions are still booked (the
front desk's home)."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.urls import reverse

from clinic.models import User
from clinic.roles import CLINICAL_READERS, PHYSICIANS
from clinic.worklist import WorkItem
from protocols.models import ProtocolVersion
from scheduling.models import Appointment, AppointmentStatus, Course, CourseStatus
from scheduling.models.courses import ACTIVE_STATUSES
from scheduling.selectors.protocol import protocol_in_effect, with_protocol_in_effect
from scheduling.selectors.replan import sessions_to_replan
from scheduling.selectors.scope import courses_for

from .models import CourseReview, Decision
from .selectors import ReviewPoint, current_schedules_by_id, review_point, review_point_from

REVIEWERS = PHYSICIANS
OUTCOME_READERS = CLINICAL_READERS
OPEN_COURSE = [CourseStatus.PLANNED, CourseStatus.ACTIVE]
STILL_BOOKED = [AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED]


def standing_review(course: Course | int) -> CourseReview | None:
    """The latest review of the course (a new one supersedes the one before)."""
    pk = getattr(course, "pk", course)
    return (
        CourseReview.objects.filter(course_id=pk)
        .select_related("new_protocol", "reviewed_by")
        .order_by("-reviewed_at", "-pk")
        .first()
    )


def session_number(appointment: Appointment) -> int:
    """The session's place among its course's current sessions in start order (a cancelled
    session or a no-show is not counted, a reschedule moves it): one query."""
    earlier = Appointment.objects.filter(
        course_id=appointment.course_id, status__in=ACTIVE_STATUSES
    ).filter(
        Q(starts_at__lt=appointment.starts_at)
        | Q(starts_at=appointment.starts_at, pk__lt=appointment.pk)
    )
    return earlier.count() + 1


def review_gate(appointment: Appointment) -> list[str]:
    """Why this session's infusion may not start for want of the physician's review: a
    session after the review point needs a review, and a review that stopped the course or
    changed its protocol stops the rest of it. After a change of protocol the review point
    is the new protocol's, counted from the change (``selectors.review_point``), and only a
    review recorded after the change passes it: the standing review is still the one that
    made the change exactly when it is a change of protocol (each change is made by its own
    review, and any later review supersedes it). [] when it may start. At most six queries
    (more when the standing review changed the protocol: ``_after_protocol_change``)."""
    if appointment.course_id is None:
        return []
    course = appointment.course
    point = review_point(course)
    number = session_number(appointment)
    review = standing_review(course)
    not_since = review is None or review.decision == Decision.CHANGE_PROTOCOL
    if number > point.after and not_since:
        return [_review_needed(number, point, review)]
    if review is None or number <= min(review.review_after, review.infusions_given):
        return []  # the standing review decides about the sessions after it
    when = f"{review.reviewed_at:%m/%d/%Y}"
    if review.decision == Decision.STOP:
        return [
            f"The physician stopped this course on {when} ({review.reason}): do not start; "
            "the front desk cancels the remaining sessions."
        ]
    if review.decision == Decision.CHANGE_PROTOCOL:
        return _after_protocol_change(appointment, review, when)
    return []


def _review_needed(number: int, point: ReviewPoint, review: CourseReview | None) -> str:
    if review is None or not point.changed:
        return (
            f"Physician review needed: this is infusion {number} of the course, and a "
            f"physician has not yet reviewed the outcome after infusion {point.after} and "
            "recorded whether to continue."
        )
    count = point.schedule.review_after
    return (
        f"Physician review needed: this is infusion {number} of the course. The physician "
        f"changed the protocol to {review.new_protocol} after infusion {point.changed_after} "
        f"on {review.reviewed_at:%m/%d/%Y}; under it the review comes after infusion "
        f"{point.after} ({count} infusion{'s' if count != 1 else ''} after the change), and "
        "no physician has reviewed the outcome since the change and recorded whether to "
        "continue."
    )


def _after_protocol_change(appointment: Appointment, review: CourseReview, when: str) -> list:
    """After a change of protocol the session runs under the new one, unless it is booked
    for another infusion time (the desk replans it) or its dose was ordered under the old
    one (order it again)."""
    protocol = appointment.course.protocol_in_force
    reasons = []
    if appointment in sessions_to_replan(appointment.course):
        reasons.append(
            f"The physician changed the protocol to {protocol} on {when}: this session is "
            f"booked for another infusion time than its {protocol.infusion_minutes} minutes; "
            "the front desk replans it."
        )
    order = appointment.dose_orders.active().select_related("protocol_version").first()
    if order is not None and order.protocol_version.protocol_id != protocol.pk:
        reasons.append(
            f"The dose was ordered under {order.protocol_version.protocol} before the change "
            f"to {protocol} on {when}: cancel it and order the dose again."
        )
    return reasons


@dataclass(frozen=True)
class ReviewDue:
    course: Course
    given: int
    review_after: int
    protocol_name: str = ""  # the protocol in effect's
    changed_after: int | None = None  # the infusions given when the protocol last changed


def reviews_due_for(user: User) -> list[ReviewDue]:
    """Open courses at the user's sites that reached their review point (that many infusions
    completed, with sessions still to come) and have no review since it: none at all, or
    only the one that changed the protocol (then the point is the new protocol's, counted
    from the change). Four queries, however many courses."""
    latest = CourseReview.objects.filter(course=OuterRef("pk")).order_by("-reviewed_at", "-pk")
    courses = list(
        with_protocol_in_effect(courses_for(user).filter(status__in=OPEN_COURSE))
        .annotate(standing_decision=Subquery(latest.values("decision")[:1]))
        .filter(Q(standing_decision__isnull=True) | Q(standing_decision=Decision.CHANGE_PROTOCOL))
        .annotate(held=Count("appointments", filter=Q(appointments__status__in=ACTIVE_STATUSES)))
        .filter(completed_infusions__gte=1)
        .order_by("patient__legal_last_name", "pk")
    )
    schedules = current_schedules_by_id({course.protocol_in_effect_id for course in courses})
    due = []
    for course in courses:
        point = review_point_from(
            course.protocol_in_effect_id, course.protocol_changed_after, schedules
        )
        if point.after <= course.completed_infusions < course.held:
            due.append(
                ReviewDue(course, course.completed_infusions, point.after,
                          course.protocol_in_effect_name, point.changed_after)
            )  # fmt: skip
    return due


def reviews_due_work(user: User) -> list[WorkItem]:
    """The physician's "work waiting" count of course reviews due at their sites, linking to
    the list (registered in ``scheduling.hooks.physician_work``): four queries."""
    if not user.may(*REVIEWERS):
        return []
    due = reviews_due_for(user)
    return [WorkItem("course_reviews_due", "Course reviews due", len(due),
                     reverse("outcomes:reviews_due"))]  # fmt: skip


def _minutes_in_force():
    """The infusion minutes of the protocol in effect of the outer course (its newest
    change's protocol, else the booked one; its current version)."""
    return (
        ProtocolVersion.objects.filter(protocol=protocol_in_effect(levels=1))
        .order_by("-number")
        .values("infusion_minutes")[:1]
    )


def _booked_to_replan():
    """The outer course's booked sessions whose infusion time is not ``new_minutes``."""
    length = ExpressionWrapper(
        F("infusion_ends_at") - F("infusion_starts_at"), output_field=DurationField()
    )
    wanted = ExpressionWrapper(
        OuterRef("new_minutes") * datetime.timedelta(minutes=1), output_field=DurationField()
    )
    return (
        Appointment.objects.filter(course=OuterRef("pk"), status__in=STILL_BOOKED)
        .annotate(length=length)
        .exclude(length=wanted)
    )


def stopped_with_sessions_booked(user: User) -> QuerySet[Course]:
    """Courses at the user's sites whose standing review stopped them or changed their
    protocol, with sessions still booked: the front desk cancels the rest of a stopped
    course, and replans a changed one's sessions booked for another infusion time (the
    changed course is listed only with a session to replan). One query."""
    latest = CourseReview.objects.filter(course=OuterRef("pk")).order_by("-reviewed_at", "-pk")
    booked = Appointment.objects.filter(course=OuterRef("pk"), status__in=STILL_BOOKED)
    return (
        courses_for(user)
        .annotate(
            decision=Subquery(latest.values("decision")[:1]),
            decision_reason=Subquery(latest.values("reason")[:1]),
        )
        .annotate(
            new_minutes=Subquery(_minutes_in_force()),
            booked=Exists(booked),
        )
        .annotate(to_replan=Exists(_booked_to_replan()))
        .filter(
            Q(decision=Decision.STOP, booked=True)
            | Q(decision=Decision.CHANGE_PROTOCOL, to_replan=True)
        )
        .order_by("patient__legal_last_name", "pk")
    )
