"""The front desk's two one-click actions on the outcomes lists: book a booster infusion for
a candidate (through the planner and ``course_book``, as a course of one), and cancel the
rest of a course a physician's review stopped (``course_cancel_remaining``)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.access import require_role
from clinic.models import User
from clinic.roles import DESK
from scheduling.models import Course
from scheduling.services import Wishes, course_book, course_cancel_remaining, course_propose

from ..boosters import booster_candidate, booster_start_date
from ..models import Decision
from ..reviews import standing_review

BOOSTER_BOOKERS = DESK  # who books and cancels sessions
EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)


@transaction.atomic
def booster_book(*, course: Course, booked_by: User) -> Course:
    """Book one booster infusion for the patient of ``course`` (a booster candidate): the
    first free chair and nurse from tomorrow at the time of day of the course's last session,
    under the course's protocol at its site. Refused, booking nothing: not front desk, not a
    candidate (no longer, or never), no free time, or what ``course_book`` refuses."""
    require_role(booked_by, *BOOSTER_BOOKERS, doing="book booster infusions")
    found = booster_candidate(booked_by, course.pk)
    if found is None:
        raise ValidationError(
            {"course": "The patient is not a booster candidate (now): relief has not waned, "
             "or a course or booster is already booked."}
        )  # fmt: skip
    location = found.location
    last_start = found.appointments.filter(status="completed").order_by("-starts_at").first()
    at = location.local(last_start.starts_at).time() if last_start else None
    wishes = Wishes(
        start_date=booster_start_date(found, location.date_of(timezone.now())),
        weekdays=EVERY_DAY,
        preferred_time=at or location.local(found.first_start).time(),
        sessions_per_week=1,
        planned_infusions=1,
    )
    proposal = course_propose(
        patient=found.patient, protocol=found.protocol, location=location, wishes=wishes,
        booster=True,
    )  # fmt: skip
    if proposal.blockers or not proposal.sessions:
        reasons = proposal.blockers or proposal.problems or ["No free time was found."]
        raise ValidationError({"course": reasons})
    return course_book(
        patient=found.patient, protocol=found.protocol, location=location,
        sessions=proposal.as_requests(), booked_by=booked_by, planned_infusions=1,
        booster=True,
    )  # fmt: skip


@transaction.atomic
def stopped_course_cancel(*, course: Course, by: User) -> int:
    """Cancel the sessions still booked on a course whose standing review stopped it or
    changed its protocol, the review's decision and reason as the cancellation's reason."""
    require_role(by, *BOOSTER_BOOKERS, doing="cancel courses")
    review = standing_review(course)
    if review is None or review.decision == Decision.CONTINUE:
        raise ValidationError({"course": "No physician's review stopped this course."})
    reason = (
        f"Physician's review of {review.reviewed_at:%m/%d/%Y}: "
        f"{review.get_decision_display().lower()} ({review.reason})"
    )
    return course_cancel_remaining(course=course, changed_by=by, reason=reason)
