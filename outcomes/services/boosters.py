"""The front desk's two one-click actions on the outcomes lists: book a booster infusion for
a candidate (through the planner and ``course_book``, as a course of one), and cancel the
rest of a course a physician's review stopped (``course_cancel_remaining``)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.access import require_role
from clinic.models import User
from clinic.queries import bounded_repeats
from clinic.roles import DESK
from scheduling.models import AppointmentStatus, Chair, Course
from scheduling.selectors.replan import sessions_to_replan
from scheduling.services import (
    ProposedSession,
    SessionRequest,
    Wishes,
    appointment_transition,
    course_book,
    course_cancel_remaining,
    course_propose,
)

from ..boosters import booster_candidate, booster_start_date
from ..models import Decision
from ..reviews import standing_review

BOOSTER_BOOKERS = DESK  # who books and cancels sessions
EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)


OPTIONS_SHOWN = 3  # free times offered per candidate on the booster list
OPTIONS_WITHIN_DAYS = 28  # how far the planner looks for them


def _candidate(user: User, course: Course) -> Course:
    found = booster_candidate(user, course.pk)
    if found is None:
        raise ValidationError(
            {"course": "The patient is not a booster candidate (now): relief has not waned, "
             "or a course or booster is already booked."}
        )  # fmt: skip
    return found


def _wishes(found: Course, start_date: datetime.date) -> Wishes:
    """One infusion from ``start_date``, any day, at the time of the course's last visit."""
    location = found.location
    last_start = found.appointments.filter(status="completed").order_by("-starts_at").first()
    at = location.local(last_start.starts_at).time() if last_start else None
    return Wishes(
        start_date=start_date, weekdays=EVERY_DAY,
        preferred_time=at or location.local(found.first_start).time(),
        sessions_per_week=1, planned_infusions=1,
    )  # fmt: skip


def booster_options(
    *, course: Course, user: User, from_date: datetime.date | None = None,
    count: int = OPTIONS_SHOWN,
) -> tuple[list[ProposedSession], list[str]]:  # fmt: skip
    """Up to ``count`` free times for a booster (each a different day, a chair and a nurse),
    from ``from_date`` (default tomorrow) on, each the planner's proposal for that day on:
    (options, why there are none or fewer). Saves nothing (like ``course_propose``)."""
    found = _candidate(user, course)
    location = found.location
    earliest = booster_start_date(found, location.date_of(timezone.now()))
    day = max(from_date or earliest, earliest)
    last_day = day + datetime.timedelta(days=OPTIONS_WITHIN_DAYS)
    options: list[ProposedSession] = []
    problems: list[str] = []
    while len(options) < count and day <= last_day:
        with bounded_repeats():  # one proposal per option shown (three)
            proposal = course_propose(
                patient=found.patient, protocol=found.protocol, location=location,
                wishes=_wishes(found, day), booster=True,
            )  # fmt: skip
        if proposal.blockers:
            return [], proposal.blockers
        if not proposal.sessions:
            problems = proposal.problems or ["No free time was found."]
            break
        session = proposal.sessions[0]
        options.append(session)
        day = location.date_of(session.starts_at) + datetime.timedelta(days=1)
    return options, ([] if options else problems or ["No free time was found."])


@transaction.atomic
def booster_book(
    *,
    course: Course,
    booked_by: User,
    starts_at: datetime.datetime | None = None,
    chair: Chair | None = None,
    nurse: User | None = None,
) -> Course:
    """Book one booster infusion for the patient of ``course`` (a booster candidate), under
    the course's protocol at its site: at ``starts_at`` in ``chair`` with ``nurse`` (one of
    ``booster_options``, or a time the desk chose), or, with none of them, the planner's
    first proposal (the first free chair and nurse from tomorrow at the time of day of the
    course's last session). Refused, booking nothing: not front desk, not a candidate (no
    longer, or never), a time without its chair and nurse, no free time, or what
    ``course_book`` refuses (the chair or nurse taken then, a closed day)."""
    require_role(booked_by, *BOOSTER_BOOKERS, doing="book booster infusions")
    found = _candidate(booked_by, course)
    location = found.location
    chosen = {"starts_at": starts_at, "chair": chair, "nurse": nurse}
    if any(value is not None for value in chosen.values()):
        missing = {name: "Choose one of the offered times." for name, v in chosen.items()
                   if v is None}  # fmt: skip
        if missing:
            raise ValidationError(missing)
        if chair.location_id != location.pk:
            raise ValidationError({"chair": f"Choose a chair at {location}."})
        sessions = [SessionRequest(starts_at, chair, nurse)]
    else:
        options, problems = booster_options(course=found, user=booked_by, count=1)
        if not options:
            raise ValidationError({"course": problems})
        sessions = [SessionRequest(o.starts_at, o.chair, o.nurse) for o in options]
    return course_book(
        patient=found.patient, protocol=found.protocol, location=location,
        sessions=sessions, booked_by=booked_by, planned_infusions=1, booster=True,
    )  # fmt: skip


@transaction.atomic
def stopped_course_cancel(*, course: Course, by: User) -> int:
    """Cancel the sessions still booked on a course whose standing review stopped it (all of
    them) or changed its protocol (those booked for another infusion time than the new
    protocol's), the review's decision and reason as the cancellation's reason."""
    require_role(by, *BOOSTER_BOOKERS, doing="cancel courses")
    review = standing_review(course)
    if review is None or review.decision == Decision.CONTINUE:
        raise ValidationError({"course": "No physician's review stopped this course."})
    reason = (
        f"Physician's review of {review.reviewed_at:%m/%d/%Y}: "
        f"{review.get_decision_display().lower()} ({review.reason})"
    )
    if review.decision == Decision.CHANGE_PROTOCOL:
        # Only the sessions booked for the old infusion time; each is then made up (booked
        # again) with the new protocol's time from the patient's Courses tab.
        to_replan = sessions_to_replan(course)
        for session in to_replan:
            appointment_transition(
                appointment=session, to_status=AppointmentStatus.CANCELLED, changed_by=by,
                reason=f"{reason}: to be booked again for the new infusion time",
            )  # fmt: skip
        return len(to_replan)
    return course_cancel_remaining(course=course, changed_by=by, reason=reason)
