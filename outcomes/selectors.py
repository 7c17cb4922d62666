"""Reads of the measure schedule: the current items of a protocol, every version, and what a
course asks of its patient (``due_measures``)."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from patients.models import OutcomeMeasure
from protocols.models import Protocol
from scheduling.models import Appointment, Course
from scheduling.models.courses import ACTIVE_STATUSES
from scheduling.selectors.scope import courses_for

from .defaults import DEFAULT_SCHEDULE
from .models import MeasureSchedule, ScheduledMeasure
from .schedule import CONTEXTS, Item, Timing, ordered

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


def schedule_versions() -> QuerySet[MeasureSchedule]:
    """Every version, newest first, with its items and author (for lists)."""
    return (
        MeasureSchedule.objects.select_related("protocol", "created_by")
        .prefetch_related(Prefetch("items", queryset=ScheduledMeasure.objects.order_by("pk")))
        .order_by("protocol__name", "-number")
    )


def current_schedule(protocol: Protocol | int) -> CurrentSchedule:
    """The latest version's items, or the built-in default when there is none (2 queries)."""
    version = (
        MeasureSchedule.objects.filter(protocol=protocol)
        .prefetch_related("items")
        .order_by("-number")
        .first()
    )
    if version is None:
        return CurrentSchedule(None, DEFAULT_SCHEDULE)
    return CurrentSchedule(version, ordered(row.as_item() for row in version.items.all()))


def current_schedules(protocols) -> list[tuple[Protocol, CurrentSchedule]]:
    """Each protocol with its current schedule, in three queries however many there are."""
    protocols = list(protocols)
    latest: dict[int, MeasureSchedule] = {}
    for version in schedule_versions().filter(protocol__in=protocols):
        if version.number > getattr(latest.get(version.protocol_id), "number", 0):
            latest[version.protocol_id] = version
    found = []
    for protocol in protocols:
        version = latest.get(protocol.pk)
        items = ordered(row.as_item() for row in version.items.all()) if version else None
        found.append((protocol, CurrentSchedule(version, items or DEFAULT_SCHEDULE)))
    return found


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
            due = last.ends_at + datetime.timedelta(days=item.param)
            window = (due - FOLLOW_UP_EARLY, due, due + FOLLOW_UP_LATE)
            slots.append(_Slot(item, None, None, *window))
    return slots


def course_visits(course: Course) -> list[Appointment]:
    """The course's current sessions in start order: a reschedule moves them, a cancelled
    session or a no-show is not one."""
    return list(
        Appointment.objects.filter(course=course, status__in=ACTIVE_STATUSES)
        .select_related("location")
        .order_by("starts_at", "pk")
    )


def _answers(patient_id: int, slots: list[_Slot]) -> list[tuple]:
    """(kind, context, given at) of the patient's valid answers in the slots' span."""
    if not slots:
        return []
    kinds = {slot.item.measure for slot in slots}
    return list(
        OutcomeMeasure.objects.filter(
            patient_id=patient_id, kind__in=kinds, corrected_by__isnull=True
        )
        .annotate(given=Coalesce("taken_at", "recorded_at"))
        .filter(
            given__gte=min(slot.opens_at for slot in slots),
            given__lt=max(slot.closes_at for slot in slots),
        )
        .values_list("kind", "context", "given")
    )


def due_measures(course: Course) -> list[DueMeasure]:
    """Every measure the course's schedule asks for, on its current sessions, in due order,
    each marked answered when a valid (not corrected) answer of that kind and context was
    given inside its window. Four queries whatever the course's length."""
    items = current_schedule(course.protocol_id).items
    visits = course_visits(course)
    slots = _slots(items, visits)
    answers = _answers(course.patient_id, slots)
    found = []
    for slot in sorted(slots, key=lambda s: (s.due_at, s.item)):
        context = CONTEXTS[slot.item.timing]
        answered = any(
            kind == slot.item.measure and given_context == context
            and slot.opens_at <= given < slot.closes_at
            for kind, given_context, given in answers
        )  # fmt: skip
        per_visit = slot.item.timing in (Timing.BEFORE_EACH, Timing.AFTER_EACH)
        found.append(
            DueMeasure(
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
        )
    return found


def course_for(user, pk: int) -> Course:
    """A course at one of the user's sites (404 otherwise), with what ``due_measures`` reads."""
    return get_object_or_404(courses_for(user), pk=pk)
