"""Reads of the measure schedule: the current items of a protocol, every version, and what a
course asks of its patient (``due_measures``)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from clinic.models import User
from clinic.roles import ALL_STAFF
from patients.models import OutcomeMeasure, Patient
from protocols.models import Protocol
from scheduling.models import Appointment, Course, CourseStatus
from scheduling.models.courses import ACTIVE_STATUSES
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


def _slots(items: tuple[Item, ...], visits: list[Appointment]) -> list[_Slot]:
    """Where each item falls on this course's current sessions (none without sessions)."""
    if not visits:
        return []
    windows = _visit_windows(visits)
    first, last = visits[0], visits[-1]
    slots = []
    for item in items:
        if item.timing == Timing.BASELINE:
            due = first.infusion_starts_at
            slots.append(_Slot(item, first, 1, first.starts_at - BASELINE_LOOKBACK, due, due))
        elif item.timing in (Timing.BEFORE_EACH, Timing.AFTER_EACH):
            side = 0 if item.timing == Timing.BEFORE_EACH else 1
            for number, (visit, pair) in enumerate(zip(visits, windows, strict=True), start=1):
                slots.append(_Slot(item, visit, number, *pair[side]))
        elif item.timing == Timing.AFTER_INFUSION:
            if item.param <= len(visits):  # a course shorter than n has no infusion n
                visit = visits[item.param - 1]
                slots.append(_Slot(item, visit, item.param, *windows[item.param - 1][1]))
        elif item.timing == Timing.END_OF_COURSE:
            window = (
                last.infusion_starts_at,
                last.infusion_ends_at,
                last.ends_at + END_OF_COURSE_GRACE,
            )
            slots.append(_Slot(item, last, len(visits), *window))
        elif item.timing == Timing.FOLLOW_UP_DAYS:
            # n days on the site's calendar: the same wall-clock time across a DST change.
            local_end = last.location.local(last.ends_at)
            due = local_end + datetime.timedelta(days=item.param)
            window = (due - FOLLOW_UP_EARLY, due, due + FOLLOW_UP_LATE)
            slots.append(_Slot(item, None, None, *window))
    return slots


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
    """``due_measures`` of several courses by course id, in four queries however many courses
    and sessions (the schedules with their items, the sessions, the answers)."""
    courses = list(courses)
    schedules = _current_by_protocol({course.protocol_id for course in courses})
    visits = _visits_by_course([course.pk for course in courses])
    slots = {
        course.pk: _slots(schedules[course.protocol_id].items, visits[course.pk])
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
    given inside its window. Four queries whatever the course's length."""
    return due_measures_of([course])[course.pk]


def course_for(user, pk: int) -> Course:
    """A course at one of the user's sites (404 otherwise), with what ``due_measures`` reads."""
    return get_object_or_404(courses_for(user), pk=pk)


def patient_course_measures(user: User, patient: Patient) -> list[tuple[Course, list]]:
    """The patient's courses at the user's sites (not cancelled or abandoned), newest first,
    each with its due measures: five queries however many courses and sessions."""
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
