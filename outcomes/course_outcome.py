"""Reads: a course's outcome (``course_outcome``), what the outcome page, the review screen,
the letter and the API all show.

Each answer is placed by the schedule's windows (``due_measures``: "pain before infusion 3"
is the pain NRS given in the window before the third current session), so the numbers here
and the "answered" marks of the due measures never disagree. The latest standing answer in
a window counts (a repeat replaces the first; a correction takes its original's place).
Nine queries, whatever the number of infusions: the due measures with the review point (5:
the protocol changes, the schedules, the sessions, the answers), the sessions, the answers,
the side effects, the alerts (1 each); the reviews make ten, the protocol changes eleven.
The review point and the schedule are the protocol in effect's (``selectors``: after a
change of protocol, counted from the change).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from infusions.models import Alert, EventKind, InfusionEvent
from patients.models import MeasureKind, OutcomeMeasure
from scheduling.models import Appointment, AppointmentStatus, Course
from scheduling.models.courses import ACTIVE_STATUSES

from . import progress
from .models import CourseReview, Decision
from .schedule import CONTEXTS, SHORT_NAMES, Timing
from .selectors import DueMeasure, due_measures_and_review_point

GIVEN = {AppointmentStatus.IN_CHAIR, AppointmentStatus.COMPLETED}
PAIN, FIQR, PHQ9 = MeasureKind.PAIN_NRS.value, MeasureKind.FIQR.value, MeasureKind.PHQ9.value


@dataclass(frozen=True)
class Point:
    """One answer placed on the course: its label ("After infusion 4"), when it was given,
    the score, and whether the patient answered it (from home or on the tablet)."""

    label: str
    given_at: datetime.datetime
    score: Decimal
    by_patient: bool
    infusion: int | None = None


@dataclass
class InfusionOutcome:
    number: int
    appointment: Appointment
    given: bool  # the infusion started (in the chair, or completed)
    pain_before: Decimal | None = None
    pain_after: Decimal | None = None
    side_effects: list[tuple[str, str]] = field(default_factory=list)  # (effect, severity)
    alerts: list[str] = field(default_factory=list)

    @property
    def relief(self) -> Decimal | None:
        """Pain points lower after the infusion than before it."""
        if self.pain_before is None or self.pain_after is None:
            return None
        return self.pain_before - self.pain_after


@dataclass
class MeasureCourse:
    """One questionnaire across the course: its points in time order, the baseline (the
    answer at baseline) and the latest, and the change between them."""

    kind: str
    name: str
    points: list[Point]
    baseline: Point | None
    latest: Point | None

    @property
    def change(self) -> progress.Change:
        return progress.change(
            self.baseline.score if self.baseline else None,
            self.latest.score if self.latest and self.latest != self.baseline else None,
        )

    @property
    def meets_mcid(self) -> bool | None:
        """FIQR only: down by its 14% MCID or more (None: not known, or not FIQR)."""
        if self.kind != FIQR:
            return None
        return progress.fiqr_meets_mcid(self.change.baseline, self.change.latest)


@dataclass
class CourseOutcome:
    course: Course
    infusions: list[InfusionOutcome]
    pain: progress.PainResponse
    pain_baseline: Point | None
    pain_latest: Point | None
    follow_up_pain: list[Point]
    fiqr: MeasureCourse
    phq9: MeasureCourse
    review_after: int
    reviews: list[CourseReview]
    protocol_changes: list = field(default_factory=list)  # CourseProtocolChange, oldest first

    @property
    def given(self) -> int:
        return sum(infusion.given for infusion in self.infusions)

    @property
    def review(self) -> CourseReview | None:
        """The standing review (the latest), if any."""
        return self.reviews[0] if self.reviews else None

    @property
    def reviewed_since_change(self) -> bool:
        """A review stands that was recorded after the newest change of protocol (or after
        the review point, when the protocol never changed): the standing review is not the
        change of protocol itself (each change is made by its own review)."""
        return self.review is not None and self.review.decision != Decision.CHANGE_PROTOCOL

    @property
    def review_due(self) -> bool:
        """The review point is reached and no review is recorded since it (after a change
        of protocol: since the change)."""
        return not self.reviewed_since_change and self.given >= self.review_after

    @property
    def measures(self) -> list[MeasureCourse]:
        return [self.fiqr, self.phq9]

    def as_numbers(self) -> dict:
        """The numbers of the page and its charts, JSON-ready (strings for decimals): the
        API's body and the snapshot a review keeps of what the physician saw."""

        def number(value):
            return None if value is None else str(value)

        def point(found: Point | None):
            if found is None:
                return None
            return {"label": found.label, "given_at": found.given_at.isoformat(),
                    "score": number(found.score), "by_patient": found.by_patient,
                    "infusion": found.infusion}  # fmt: skip

        def measure(course: MeasureCourse) -> dict:
            return {
                "points": [point(p) for p in course.points],
                "baseline": point(course.baseline),
                "latest": point(course.latest),
                "change_points": number(course.change.points),
                "change_percent": number(course.change.percent),
            }

        return {
            "course": self.course.pk,
            "infusions_given": self.given,
            "review_after": self.review_after,
            "pain": {
                "baseline": point(self.pain_baseline),
                "latest": point(self.pain_latest),
                "change_points": number(self.pain.change.points),
                "reduction_percent": number(self.pain.change.percent),
                "status": str(self.pain.status),
                "responder": self.pain.status == progress.PainStatus.RESPONDER,
                "substantial": self.pain.substantial,
                "follow_up": [point(p) for p in self.follow_up_pain],
            },
            "fiqr": {**measure(self.fiqr), "meets_mcid": self.fiqr.meets_mcid},
            "phq9": measure(self.phq9),
            "infusions": [
                {
                    "number": row.number,
                    "appointment": row.appointment.pk,
                    "starts_at": row.appointment.starts_at.isoformat(),
                    "given": row.given,
                    "pain_before": number(row.pain_before),
                    "pain_after": number(row.pain_after),
                    "side_effects": [
                        {"effect": effect, "severity": severity}
                        for effect, severity in row.side_effects
                    ],
                    "alerts": row.alerts,
                }
                for row in self.infusions
            ],
        }


def _point_label(due: DueMeasure) -> str:
    """In the active language: the letter to a Spanish-speaking patient builds its outcome
    in Spanish (``letters``); everywhere else it is English."""
    if due.timing == Timing.BASELINE:
        return _("Baseline")
    if due.timing == Timing.BEFORE_EACH:
        return _("Before infusion %(number)s") % {"number": due.infusion}
    if due.timing in (Timing.AFTER_EACH, Timing.AFTER_INFUSION):
        return _("After infusion %(number)s") % {"number": due.infusion}
    if due.timing == Timing.END_OF_COURSE:
        return _("End of course")
    return _("%(days)s days after") % {"days": due.param}


def _answers(course: Course, due: list[DueMeasure]) -> list[OutcomeMeasure]:
    """The patient's standing answers in the span of the course's windows, oldest first."""
    if not due:
        return []
    return list(
        OutcomeMeasure.objects.filter(
            patient_id=course.patient_id,
            kind__in={d.measure for d in due},
            corrected_by__isnull=True,
            score__isnull=False,
        )
        .annotate(given=Coalesce("taken_at", "recorded_at"))
        .filter(given__gte=min(d.opens_at for d in due), given__lt=max(d.closes_at for d in due))
        .order_by("given", "pk")
    )


def _placed(due: list[DueMeasure], answers: list[OutcomeMeasure]) -> list[tuple]:
    """(due measure, the answer that counts for it): the latest in its window and context;
    an answer counts once, for the first measure it answers (an 8-infusion course asking
    "after infusion 8" and "at the end" gets one point, not two)."""
    used, placed = set(), []
    for measure in due:
        context = CONTEXTS[measure.timing]
        found = [
            answer
            for answer in answers
            if answer.kind == measure.measure
            and answer.context == context
            and measure.opens_at <= answer.given < measure.closes_at
            and answer.pk not in used
        ]
        if found:
            used.add(found[-1].pk)
            placed.append((measure, found[-1]))
    return placed


def _visits(course: Course) -> list[Appointment]:
    return list(
        Appointment.objects.filter(course=course, status__in=ACTIVE_STATUSES)
        .select_related("location")
        .order_by("starts_at", "pk")
    )


def _charted(course: Course) -> tuple[dict, dict]:
    """Side effects and alerts by appointment id, corrected entries left out."""
    effects, alerts = defaultdict(list), defaultdict(list)
    events = (
        InfusionEvent.objects.filter(
            record__appointment__course=course,
            kind=EventKind.SIDE_EFFECT,
            corrections__isnull=True,
        )
        .order_by("occurred_at", "pk")
        .values_list("record__appointment_id", "side_effect", "severity")
    )
    labels = dict(InfusionEvent._meta.get_field("side_effect").choices)
    for appointment_id, effect, severity in events:
        effects[appointment_id].append((labels.get(effect, effect), severity))
    raised = (
        Alert.objects.filter(record__appointment__course=course, reading__corrections__isnull=True)
        .order_by("raised_at", "pk")
        .values_list("record__appointment_id", "message")
    )
    for appointment_id, message in raised:
        alerts[appointment_id].append(message)
    return effects, alerts


def _measure_course(kind: str, placed: list[tuple]) -> MeasureCourse:
    mine = sorted((pair for pair in placed if pair[0].measure == kind), key=lambda p: p[1].given)
    points = [
        Point(_point_label(due), answer.given, answer.score, answer.completed_by_patient,
              due.infusion)
        for due, answer in mine
    ]  # fmt: skip
    baseline = next(
        (point for (due, _), point in zip(mine, points, strict=True)
         if due.timing == Timing.BASELINE),
        None,
    )  # fmt: skip
    return MeasureCourse(kind, SHORT_NAMES[kind], points, baseline, points[-1] if points else None)


def _infusion_rows(course: Course, pain: dict) -> list[InfusionOutcome]:
    effects, alerts = _charted(course)
    rows = []
    for number, visit in enumerate(_visits(course), start=1):
        before = pain.get((Timing.BEFORE_EACH, number))
        after = pain.get((Timing.AFTER_EACH, number))
        rows.append(
            InfusionOutcome(
                number=number,
                appointment=visit,
                given=visit.status in GIVEN,
                pain_before=before.score if before else None,
                pain_after=after.score if after else None,
                side_effects=effects.get(visit.pk, []),
                alerts=alerts.get(visit.pk, []),
            )
        )
    return rows


def _pain_point(pain: dict, timing: str, number: int | None, label: str) -> Point | None:
    found = pain.get((timing, number)) if number is not None else None
    if found is None:
        return None
    return Point(label, found.given, found.score, found.completed_by_patient, number)


def course_outcome(course: Course) -> CourseOutcome:
    """Everything the outcome page shows of one course (see the module's docstring). The
    pain baseline is the pain before infusion 1; the latest, the pain after the last
    infusion that has one (the end of the course once it is over)."""
    due, point = due_measures_and_review_point(course)
    placed = _placed(due, _answers(course, due))
    pain = {(d.timing, d.infusion): a for d, a in placed if d.measure == PAIN}
    rows = _infusion_rows(course, pain)
    baseline = _pain_point(
        pain, Timing.BEFORE_EACH, 1, _("Before infusion %(number)s") % {"number": 1}
    )
    last = next((row.number for row in reversed(rows) if row.pain_after is not None), None)
    latest = _pain_point(
        pain, Timing.AFTER_EACH, last, _("After infusion %(number)s") % {"number": last}
    )
    return CourseOutcome(
        course=course,
        infusions=rows,
        pain=progress.pain_response(
            baseline.score if baseline else None, latest.score if latest else None
        ),
        pain_baseline=baseline,
        pain_latest=latest,
        follow_up_pain=[
            Point(_point_label(d), a.given, a.score, a.completed_by_patient)
            for d, a in placed
            if d.measure == PAIN and d.timing == Timing.FOLLOW_UP_DAYS
        ],
        fiqr=_measure_course(FIQR, placed),
        phq9=_measure_course(PHQ9, placed),
        review_after=point.after,
        reviews=list(
            CourseReview.objects.filter(course=course)
            .select_related("reviewed_by", "new_protocol")
            .order_by("-reviewed_at", "-pk")
        ),
        protocol_changes=list(
            course.protocol_changes.select_related("from_protocol", "protocol", "changed_by")
        ),
    )
