"""The physician's review of a course: a decision on the outcome so far, never edited (a
new review supersedes the standing one)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.access import require_role
from clinic.models import User
from protocols.models import Protocol
from scheduling.models import Course, CourseStatus
from scheduling.services import course_protocol_change

from ..course_outcome import course_outcome
from ..models import CourseReview, Decision
from ..reviews import REVIEWERS, standing_review
from ..selectors import review_point

CLOSED = {CourseStatus.CANCELLED, CourseStatus.ABANDONED}


def _decision_problems(decision, reason, new_protocol, course) -> dict[str, str]:
    problems = {}
    if decision not in Decision.values:
        problems["decision"] = "Choose continue, stop or change protocol."
    if not (reason or "").strip():
        problems["reason"] = "Say why: what in the outcome led to the decision."
    if decision == Decision.CHANGE_PROTOCOL:
        if new_protocol is None:
            problems["new_protocol"] = "Name the protocol to change to."
        elif new_protocol.pk == course.protocol_in_force.pk:
            problems["new_protocol"] = "That is the course's protocol now; choose another."
        elif not new_protocol.is_active:
            problems["new_protocol"] = f"{new_protocol} is withdrawn; choose an active one."
    elif new_protocol is not None:
        problems["new_protocol"] = "Name a protocol only when changing the protocol."
    return problems


@transaction.atomic
def course_review_record(
    *,
    course: Course,
    decision: str,
    reason: str,
    by: User,
    new_protocol: Protocol | None = None,
) -> CourseReview:
    """Record a physician's review of the course: the decision (continue, stop, change
    protocol) with the reason and the outcome as it stood. Refused, writing nothing: not a
    physician, a closed course, fewer infusions given than the review point (the first review), a
    missing reason, a change of protocol without an active other protocol. Locks the course, so two
    physicians reviewing at once make a chain (the second supersedes the first), not two
    rival first reviews. A stop does not cancel anything itself: the later sessions cannot
    start (``reviews.review_gate``) and the front desk, who cancel sessions, sees the course
    on its list to cancel the rest. A change of protocol records the change on the course
    (``scheduling.services.course_protocol_change``): the later sessions' doses are
    calculated under the new protocol; sessions booked for another infusion time wait for
    the front desk to replan them."""
    require_role(by, *REVIEWERS, doing="review a course")
    course = Course.objects.select_for_update().get(pk=course.pk)
    problems = _decision_problems(decision, reason, new_protocol, course)
    if course.status in CLOSED:
        problems["course"] = f"The course is {course.get_status_display().lower()}."
    outcome = course_outcome(course)
    # The first review waits for the review point; later ones (a physician revising a
    # decision, the review due again after a change of protocol) may come at any time.
    if outcome.review is None and outcome.given < outcome.review_after:
        problems.setdefault(
            "course",
            f"The review comes after infusion {outcome.review_after}; "
            f"{outcome.given} given so far.",
        )
    if problems:
        raise ValidationError(problems)
    schedule = review_point(course).schedule  # the protocol in effect's
    review = CourseReview(
        course=course,
        review_after=outcome.review_after,
        schedule=schedule.version,
        infusions_given=outcome.given,
        decision=decision,
        reason=reason.strip(),
        new_protocol=new_protocol if decision == Decision.CHANGE_PROTOCOL else None,
        outcome=outcome.as_numbers(),
        supersedes=standing_review(course),
        reviewed_by=by,
    )
    review.full_clean()
    review.save()
    if decision == Decision.CHANGE_PROTOCOL:
        # The rest of the course runs under the new protocol (its doses are calculated under
        # it); a session booked for another infusion time waits for the desk to replan it.
        course_protocol_change(
            course=course, protocol=new_protocol, by=by, reason=f"Physician's review: {reason}"
        )
    return review
