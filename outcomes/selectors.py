"""Reads of the measure schedule: the current items of a protocol, every version, what a
course asks of its patient (``due_measures``) and after which infusion a physician reviews it
(``review_point``).

A course follows the schedule of the protocol in effect (``scheduling.selectors.protocol``):
after a physician changes its protocol, the infusions given before the change keep what the
old protocol's schedule asked of them (answers given, links sent, nothing moves under the
patient), and everything after follows the new protocol's schedule, its "after infusion n"
and its review point counted from the change (the new protocol's infusion 1 is the first
after it). The baseline stays the course's own; the end of the course and the follow-ups are
the protocol in effect's."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, replace

from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from clinic.models import User
from clinic.roles import ALL_STAFF
from patients.models import OutcomeMeasure, Patient
from protocols.models import Protocol
from scheduling.models import Appointment, Course, CourseStatus
from scheduling.models.courses import ACTIVE_STATUSES
from scheduling.selectors.protocol import ProtocolPeriod, protocol_periods
from scheduling.selectors.scope import courses_for

from .defaults import DEFAULT_REVIEW_AFTER, DEFAULT_SCHEDULE
from .models import MeasureSchedule, PatientLink, ScheduledMeasure
from .schedule import CONTEXTS, Item, Timing, item_order, ordered

# Who sees which measures a course asks for and which are answered (not the answers): the
# clinical readers and the front desk, who will send the links and chase the answers.
DUE_MEASURE_READERS = ALL_STAFF

# How long before a visit a "before" answer counts, and after it an "after" answer (each
# cut short by the neighbouring visit, so one answer never counts for two visits).
BEFORE_VISIT = datetime.timedelta(hours=24)
AFTER_VISIT = datetime.timedelta(hours=24)
BASELINE_LOOKBACK = datetime.timedelta(days=30)  # an intake questionnaire still counts
END_OF_COURSE_GRACE = datetime.timedelta(days=7)
FOLLOW_UP_EARLY = datetime.timedelta(days=7)
FOLLOW_UP_LATE = datetime.timedelta(days=14)
MAX_SESSIONS = 10_000  # "to the end of the course", whatever its length


@dataclass(frozen=True)
class CurrentSchedule:
    """The items a protocol's courses ask for; ``version`` None: the built-in default."""

    version: MeasureSchedule | None
    items: tuple[Item, ...]

    @property
    def is_default(self) -> bool:
        return self.version is None

    @property
    def review_after(self) -> int:
        """The infusion after which a physician reviews the course."""
        return self.version.review_after_infusion if self.version else DEFAULT_REVIEW_AFTER


def schedule_versions() -> QuerySet[MeasureSchedule]:
    """Every version, newest first, with its items and author (for lists)."""
    return (
        MeasureSchedule.objects.select_related("protocol", "created_by")
        .prefetch_related(Prefetch("items", queryset=ScheduledMeasure.objects.order_by("pk")))
        .order_by("protocol__name", "-number")
    )


def current_schedule(protocol: Protocol | int) -> CurrentSchedule:
    """The latest version's items, or the built-in default when there is none (2 queries)."""
    pk = getattr(protocol, "pk", protocol)
    return _current_by_protocol({pk})[pk]


def _current_by_protocol(protocol_ids: set[int]) -> dict[int, CurrentSchedule]:
    """The current schedule of each protocol id, in two queries however many there are."""
    latest: dict[int, MeasureSchedule] = {}
    for version in schedule_versions().filter(protocol__in=protocol_ids):
        if version.number > getattr(latest.get(version.protocol_id), "number", 0):
            latest[version.protocol_id] = version
    found = {}
    for protocol_id in protocol_ids:
        version = latest.get(protocol_id)
        items = ordered(row.as_item() for row in version.items.all()) if version else None
        found[protocol_id] = CurrentSchedule(version, items or DEFAULT_SCHEDULE)
    return found


def current_schedules_by_id(protocol_ids) -> dict[int, CurrentSchedule]:
    """The current schedule of each protocol id: two queries however many there are."""
    return _current_by_protocol(set(protocol_ids))


def current_schedules(protocols) -> list[tuple[Protocol, CurrentSchedule]]:
    """Each protocol with its current schedule, in three queries however many there are."""
    protocols = list(protocols)
    schedules = _current_by_protocol({protocol.pk for protocol in protocols})
    return [(protocol, schedules[protocol.pk]) for protocol in protocols]


@dataclass(frozen=True)
class DueMeasure:
    """One measure a course asks for: when it is due, in which window an answer counts, and
    whether one was given. ``appointment`` is the visit it belongs to (None for follow-ups);
    ``infusion`` its number among the course's current sessions."""

    measure: str
    timing: str
    param: int | None
    label: str
    appointment: Appointment | None
    infusion: int | None
    opens_at: datetime.datetime
    due_at: datetime.datetime
    closes_at: datetime.datetime
    answered: bool

    def state(self, now: datetime.datetime) -> str:
        """answered, missed (its window has closed), open (now) or upcoming."""
        if self.answered:
            return "answered"
        if now >= self.closes_at:
            return "missed"
        return "open" if now >= self.opens_at else "upcoming"


@dataclass(frozen=True)
class _Slot:
    item: Item
    appointment: Appointment | None
    infusion: int | None
    opens_at: datetime.datetime
    due_at: datetime.datetime
    closes_at: datetime.datetime


def _visit_windows(visits: list[Appointment]) -> list[tuple]:
    """(before-window, after-window) of each visit, neither reaching into a neighbour's."""
    windows = []
    for index, visit in enumerate(visits):
        before_opens = visit.starts_at - BEFORE_VISIT
        if index > 0:
            before_opens = max(before_opens, visits[index - 1].infusion_ends_at)
        after_closes = visit.ends_at + AFTER_VISIT
        if index + 1 < len(visits):
            after_closes = min(after_closes, visits[index + 1].starts_at)
        windows.append(
            (
                (before_opens, visit.infusion_starts_at, visit.infusion_ends_at),
                (visit.infusion_starts_at, visit.infusion_ends_at, after_closes),
            )
        )
    return windows


def _period_slots(periods: list[tuple[int, int, tuple[Item, ...]]], visits) -> list[_Slot]:
    """Each period's items on its own sessions: ``(after, until, items)`` covers sessions
    after+1 to until (course-wide numbers). Per-infusion items and "after infusion n"
    (counted from the period's start) fall inside their period; the baseline is the first
    period's; the end of the course and the follow-ups are the last period's."""
    if not visits:
        return []
    windows = _visit_windows(visits)
    first, last = visits[0], visits[-1]
    # The baseline is that of the period infusion 1 falls in (a change before any infusion
    # was given makes the new protocol's the course's from the start).
    baseline_index = max(index for index, period in enumerate(periods) if period[0] == 0)
    slots = []
    for index, (after, until, items) in enumerate(periods):
        is_first, is_last = index == baseline_index, index == len(periods) - 1
        own = range(after + 1, min(until, len(visits)) + 1)  # session numbers, from 1
        for item in items:
            if item.timing == Timing.BASELINE:
                if is_first:
                    due = first.infusion_starts_at
                    opens = first.starts_at - BASELINE_LOOKBACK
                    slots.append(_Slot(item, first, 1, opens, due, due))
            elif item.timing in (Timing.BEFORE_EACH, Timing.AFTER_EACH):
                side = 0 if item.timing == Timing.BEFORE_EACH else 1
                for number in own:
                    slots.append(
                        _Slot(item, visits[number - 1], number, *windows[number - 1][side])
                    )
            elif item.timing == Timing.AFTER_INFUSION:
                number = after + item.param
                if number in own:  # a course (or a period) shorter than n has no infusion n
                    if after:  # named by its course-wide number: "after infusion 6"
                        item = replace(item, param=number)
                    slots.append(_Slot(item, visits[number - 1], number, *windows[number - 1][1]))
            elif item.timing == Timing.END_OF_COURSE:
                if is_last:
                    window = (
                        last.infusion_starts_at,
                        last.infusion_ends_at,
                        last.ends_at + END_OF_COURSE_GRACE,
                    )
                    slots.append(_Slot(item, last, len(visits), *window))
            elif item.timing == Timing.FOLLOW_UP_DAYS:
                if is_last:
                    # n days on the site's calendar: the same wall-clock time across DST.
                    local_end = last.location.local(last.ends_at)
                    due = local_end + datetime.timedelta(days=item.param)
                    window = (due - FOLLOW_UP_EARLY, due, due + FOLLOW_UP_LATE)
                    slots.append(_Slot(item, None, None, *window))
    return slots


def _spans(periods: list[ProtocolPeriod], schedules: dict[int, "CurrentSchedule"]) -> list:
    """(after, until, items) of each period; the last runs to the end of the course."""
    ends = [period.after_infusions for period in periods[1:]] + [MAX_SESSIONS]
    return [
        (period.after_infusions, max(end, period.after_infusions),
         schedules[period.protocol_id].items)
        for period, end in zip(periods, ends, strict=True)
    ]  # fmt: skip


def _visits_by_course(course_ids) -> dict[int, list[Appointment]]:
    """Each course's current sessions in start order: a reschedule moves them, a cancelled
    session or a no-show is not one."""
    found: dict[int, list[Appointment]] = defaultdict(list)
    visits = (
        Appointment.objects.filter(course__in=course_ids, status__in=ACTIVE_STATUSES)
        .select_related("location")
        .order_by("course_id", "starts_at", "pk")
    )
    for visit in visits:
        found[visit.course_id].append(visit)
    return found


def _answers(patient_ids: set[int], slots: list[_Slot]) -> list[tuple]:
    """(patient, kind, context, given at) of the valid answers in the slots' whole span."""
    if not slots:
        return []
    kinds = {slot.item.measure for slot in slots}
    return list(
        OutcomeMeasure.objects.filter(
            patient_id__in=patient_ids, kind__in=kinds, corrected_by__isnull=True
        )
        .annotate(given=Coalesce("taken_at", "recorded_at"))
        .filter(
            given__gte=min(slot.opens_at for slot in slots),
            given__lt=max(slot.closes_at for slot in slots),
        )
        .values_list("patient_id", "kind", "context", "given")
    )


def _due(slot: _Slot, patient_id: int, answers: list[tuple]) -> DueMeasure:
    context = CONTEXTS[slot.item.timing]
    answered = any(
        (patient, kind, given_context) == (patient_id, slot.item.measure, context)
        and slot.opens_at <= given < slot.closes_at
        for patient, kind, given_context, given in answers
    )
    per_visit = slot.item.timing in (Timing.BEFORE_EACH, Timing.AFTER_EACH)
    return DueMeasure(
        measure=slot.item.measure,
        timing=slot.item.timing,
        param=slot.item.param,
        label=slot.item.label(slot.infusion if per_visit else None),
        appointment=slot.appointment,
        infusion=slot.infusion,
        opens_at=slot.opens_at,
        due_at=slot.due_at,
        closes_at=slot.closes_at,
        answered=answered,
    )


def due_measures_of(courses) -> dict[int, list[DueMeasure]]:
    """``due_measures`` of several courses by course id, in five queries however many courses
    and sessions (the protocol changes, the schedules with their items, the sessions, the
    answers)."""
    courses = list(courses)
    return _due_measures_of(courses, *_plans(courses))


def _plans(courses: list[Course]) -> tuple[dict, dict]:
    """Each course's protocol periods and the current schedule of every protocol in them:
    three queries however many courses."""
    periods = protocol_periods(courses)
    schedules = _current_by_protocol(
        {period.protocol_id for found in periods.values() for period in found}
    )
    return periods, schedules


def _due_measures_of(courses: list[Course], periods, schedules) -> dict[int, list[DueMeasure]]:
    visits = _visits_by_course([course.pk for course in courses])
    slots = {
        course.pk: _period_slots(_spans(periods[course.pk], schedules), visits[course.pk])
        for course in courses
    }
    everything = [slot for found in slots.values() for slot in found]
    answers = _answers({course.patient_id for course in courses}, everything)
    return {
        course.pk: [
            _due(slot, course.patient_id, answers)
            for slot in sorted(slots[course.pk], key=lambda s: (s.due_at, item_order(s.item)))
        ]
        for course in courses
    }


def due_measures(course: Course) -> list[DueMeasure]:
    """Every measure the course's schedule asks for, on its current sessions, in due order,
    each marked answered when a valid (not corrected) answer of that kind and context was
    given inside its window; after a change of protocol, the new protocol's items on the
    infusions after it (the module's docstring). Five queries whatever the course's length."""
    return due_measures_of([course])[course.pk]


@dataclass(frozen=True)
class ReviewPoint:
    """After which infusion of the course (course-wide number) a physician reviews it: the
    review point of the protocol in effect's schedule, counted from the newest change of
    protocol when there is one (``changed_after``: the infusions given then; None: never
    changed), so a changed course is reviewed again under its new protocol."""

    after: int
    schedule: CurrentSchedule
    protocol_id: int
    changed_after: int | None = None

    @property
    def changed(self) -> bool:
        return self.changed_after is not None


def review_point_from(
    protocol_id: int, changed_after: int | None, schedules: dict[int, CurrentSchedule]
) -> ReviewPoint:
    """The review point of a course whose protocol in effect is ``protocol_id``, changed
    after ``changed_after`` infusions (None: never), from the current schedules by id."""
    schedule = schedules[protocol_id]
    return ReviewPoint(
        (changed_after or 0) + schedule.review_after, schedule, protocol_id, changed_after
    )


def review_points_of(courses) -> dict[int, ReviewPoint]:
    """``review_point`` of several courses by id: three queries however many."""
    return _review_points(*_plans(list(courses)))


def _review_points(periods, schedules) -> dict[int, ReviewPoint]:
    newest = {course_id: found[-1] for course_id, found in periods.items()}
    return {
        course_id: review_point_from(
            period.protocol_id, period.after_infusions if len(periods[course_id]) > 1 else None,
            schedules,
        )
        for course_id, period in newest.items()
    }  # fmt: skip


def due_measures_and_review_point(course: Course) -> tuple[list[DueMeasure], ReviewPoint]:
    """``due_measures`` and ``review_point`` of one course together: five queries."""
    periods, schedules = _plans([course])
    due = _due_measures_of([course], periods, schedules)[course.pk]
    return due, _review_points(periods, schedules)[course.pk]


def review_point(course: Course) -> ReviewPoint:
    """After which infusion a physician reviews the course (``ReviewPoint``): three queries."""
    return review_points_of([course])[course.pk]


def course_for(user, pk: int) -> Course:
    """A course at one of the user's sites (404 otherwise), with what ``due_measures`` reads."""
    return get_object_or_404(courses_for(user), pk=pk)


def patient_course_measures(user: User, patient: Patient) -> list[tuple[Course, list]]:
    """The patient's courses at the user's sites (not cancelled or abandoned), newest first,
    each with its due measures: six queries however many courses and sessions."""
    courses = list(
        courses_for(user)
        .filter(patient=patient)
        .exclude(status__in=[CourseStatus.CANCELLED, CourseStatus.ABANDONED])
        .order_by("-booked_at", "-pk")
    )
    due = due_measures_of(courses)
    return [(course, due[course.pk]) for course in courses]


def links_for(user: User) -> QuerySet[PatientLink]:
    """Patient links of courses at the user's sites, newest first."""
    return PatientLink.objects.filter(course__in=courses_for(user)).select_related(
        "patient", "course__location", "created_by", "revoked_by"
    )


def link_for(user: User, pk: int) -> PatientLink:
    return get_object_or_404(links_for(user), pk=pk)


LINKS_SHOWN = 3


def links_by_course(course_ids) -> dict[int, list[PatientLink]]:
    """The latest few links of each course (one query), newest first."""
    found: dict[int, list[PatientLink]] = defaultdict(list)
    rows = PatientLink.objects.filter(course__in=course_ids).select_related("created_by")
    for link in rows.order_by("course_id", "-created_at", "-pk"):
        if len(found[link.course_id]) < LINKS_SHOWN:
            found[link.course_id].append(link)
    return found
