"""Reads about the physician's review of a course: where a session stands against the
review point, the gate the infusion start asks (``review_gate``, registered in
``scheduling.hooks.infusion_gates`` by ``OutcomesConfig.ready``), the courses whose review is
due (the physician's home) and those a review stopped whose sessions are still booked (the
front desk's home)."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from clinic.models import User
from clinic.roles import CLINICAL_READERS, PHYSICIANS
from scheduling.models import Appointment, AppointmentStatus, Course, CourseStatus
from scheduling.models.courses import ACTIVE_STATUSES
from scheduling.selectors.scope import courses_for

from .models import CourseReview, Decision
from .selectors import current_schedule, current_schedules

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
    changed its protocol stops the rest of it. [] when it may start. At most five queries."""
    if appointment.course_id is None:
        return []
    course = appointment.course
    review_after = current_schedule(course.protocol_id).review_after
    number = session_number(appointment)
    if number <= review_after:
        return []
    review = standing_review(course)
    if review is None:
        return [
            f"Physician review needed: this is infusion {number} of the course, and a "
            f"physician has not yet reviewed the outcome after infusion {review_after} and "
            "recorded whether to continue."
        ]
    when = f"{review.reviewed_at:%m/%d/%Y}"
    if review.decision == Decision.STOP:
        return [
            f"The physician stopped this course on {when} ({review.reason}): do not start; "
            "the front desk cancels the remaining sessions."
        ]
    if review.decision == Decision.CHANGE_PROTOCOL:
        return [
            f"The physician changed the protocol to {review.new_protocol} on {when} "
            f"({review.reason}): do not start under this course; the front desk cancels the "
            "remaining sessions and books a new course under the new protocol."
        ]
    return []


@dataclass(frozen=True)
class ReviewDue:
    course: Course
    given: int
    review_after: int


def reviews_due_for(user: User) -> list[ReviewDue]:
    """Open courses at the user's sites that reached their review point (that many infusions
    completed, with sessions still to come) and have no review: four queries, however many
    courses."""
    reviewed = CourseReview.objects.filter(course=OuterRef("pk"))
    courses = list(
        courses_for(user)
        .filter(status__in=OPEN_COURSE)
        .filter(~Exists(reviewed))
        .annotate(held=Count("appointments", filter=Q(appointments__status__in=ACTIVE_STATUSES)))
        .filter(completed_infusions__gte=1)
        .order_by("patient__legal_last_name", "pk")
    )
    protocols = {course.protocol_id: course.protocol for course in courses}
    points = {
        protocol.pk: schedule.review_after
        for protocol, schedule in current_schedules(protocols.values())
    }
    return [
        ReviewDue(course, course.completed_infusions, points[course.protocol_id])
        for course in courses
        if points[course.protocol_id] <= course.completed_infusions < course.held
    ]


def stopped_with_sessions_booked(user: User) -> QuerySet[Course]:
    """Courses at the user's sites whose standing review stopped them or changed their
    protocol, with sessions still booked: the front desk cancels the rest. One query."""
    latest = CourseReview.objects.filter(course=OuterRef("pk")).order_by("-reviewed_at", "-pk")
    booked = Appointment.objects.filter(course=OuterRef("pk"), status__in=STILL_BOOKED)
    return (
        courses_for(user)
        .annotate(
            decision=Subquery(latest.values("decision")[:1]),
            decision_reason=Subquery(latest.values("reason")[:1]),
        )
        .filter(decision__in=[Decision.STOP, Decision.CHANGE_PROTOCOL])
        .filter(Exists(booked))
        .order_by("patient__legal_last_name", "pk")
    )
