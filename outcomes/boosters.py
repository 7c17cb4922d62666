"""Reads: the booster candidates, computed in the database. A patient whose finished course
(more than one infusion, completed) is followed by a pain score answered as a follow-up that
is back within 20% of the course's baseline (``progress.relief_has_waned``: follow-up >= 80%
of the pain before infusion 1) is offered a single booster infusion, until a course is booked
after that answer. Only the patient's latest full course counts."""

import datetime

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from clinic.models import User
from clinic.roles import DESK
from patients.models import MeasureKind, OutcomeMeasure
from scheduling.models import Appointment, Course, CourseStatus
from scheduling.models.courses import ACTIVE_STATUSES
from scheduling.selectors.scope import courses_for

from .progress import BOOSTER_WITHIN_PERCENT
from .selectors import BEFORE_VISIT

BOOSTER_READERS = DESK


def _pain(context: str) -> QuerySet[OutcomeMeasure]:
    return OutcomeMeasure.objects.filter(
        patient=OuterRef("patient"),
        kind=MeasureKind.PAIN_NRS,
        context=context,
        corrected_by__isnull=True,
        score__isnull=False,
    ).annotate(given=Coalesce("taken_at", "recorded_at"))


def booster_candidates_for(user: User) -> QuerySet[Course]:
    """Finished courses at the user's sites whose patient is a booster candidate, each with
    ``baseline_pain`` (before infusion 1, in its window), ``follow_up_pain`` and
    ``follow_up_at`` (the latest follow-up pain after the last session). One query."""
    sessions = Appointment.objects.filter(course=OuterRef("pk"), status__in=ACTIVE_STATUSES)
    first = sessions.order_by("starts_at", "pk")
    last = sessions.order_by("-starts_at", "-pk")
    baseline = (
        _pain("pre_infusion")
        .filter(
            given__gte=OuterRef("first_start") - BEFORE_VISIT,
            given__lt=OuterRef("first_infusion_end"),
        )
        .order_by("-given", "-pk")
    )
    follow_up = _pain("follow_up").filter(given__gte=OuterRef("last_end")).order_by("-given", "-pk")
    later_full_course = Course.objects.filter(
        patient=OuterRef("patient"), planned_infusions__gt=1, booked_at__gt=OuterRef("booked_at")
    ).exclude(status=CourseStatus.CANCELLED)
    booked_since = (
        Course.objects.filter(patient=OuterRef("patient"), booked_at__gt=OuterRef("follow_up_at"))
        .exclude(pk=OuterRef("pk"))
        .exclude(status=CourseStatus.CANCELLED)
    )
    return (
        courses_for(user)
        .filter(status=CourseStatus.COMPLETED, planned_infusions__gt=1, patient__is_active=True)
        .filter(~Exists(later_full_course))
        .annotate(
            first_start=Subquery(first.values("starts_at")[:1]),
            first_infusion_end=Subquery(first.values("infusion_ends_at")[:1]),
            last_end=Subquery(last.values("ends_at")[:1]),
        )
        .annotate(
            baseline_pain=Subquery(baseline.values("score")[:1]),
            follow_up_pain=Subquery(follow_up.values("score")[:1]),
            follow_up_at=Subquery(follow_up.values("given")[:1]),
        )
        .filter(baseline_pain__gt=0)
        .filter(Q(follow_up_pain__gte=F("baseline_pain") * (100 - BOOSTER_WITHIN_PERCENT) / 100))
        .filter(~Exists(booked_since))
        .order_by("follow_up_at", "pk")
    )


def booster_candidate(user: User, course_pk: int) -> Course | None:
    """The course if its patient is a booster candidate the user may book, else None."""
    return booster_candidates_for(user).filter(pk=course_pk).first()


def booster_start_date(course: Course, today: datetime.date) -> datetime.date:
    """The first day a booster may be offered: tomorrow (the desk calls the patient first)."""
    return today + datetime.timedelta(days=1)
