"""The measure schedule as plain values: what a schedule item is, how it reads in words,
and the rules an item list must keep. No ORM here; the models, the service and the
selectors all speak in these terms."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import models

from patients.models import MeasureKind

# The questionnaires a schedule may ask for (the 2016 ACR criteria are a diagnosis, not an
# outcome followed over a course).
SCHEDULABLE = (MeasureKind.PAIN_NRS, MeasureKind.FIQR, MeasureKind.PHQ9)
MEASURE_CHOICES = [(kind.value, kind.label) for kind in SCHEDULABLE]
SHORT_NAMES = {
    MeasureKind.PAIN_NRS: "Pain NRS",
    MeasureKind.FIQR: "FIQR",
    MeasureKind.PHQ9: "PHQ-9",
}

MAX_INFUSION = 12  # "after infusion n": the longest course the clinic books
MAX_FOLLOW_UP_DAYS = 365


class Timing(models.TextChoices):
    BASELINE = "baseline", "At baseline (before the first infusion)"
    BEFORE_EACH = "before_each", "Before each infusion"
    AFTER_EACH = "after_each", "After each infusion"
    AFTER_INFUSION = "after_infusion", "After infusion n"
    END_OF_COURSE = "end_of_course", "At the end of the course (after the last infusion)"
    FOLLOW_UP_DAYS = "follow_up_days", "n days after the last infusion"


# The timings that take a number, and the range it must be in.
PARAM_RANGES = {
    Timing.AFTER_INFUSION: (1, MAX_INFUSION),
    Timing.FOLLOW_UP_DAYS: (1, MAX_FOLLOW_UP_DAYS),
}

# Which ``OutcomeMeasure.context`` answers an item of each timing.
CONTEXTS = {
    Timing.BASELINE: "baseline",
    Timing.BEFORE_EACH: "pre_infusion",
    Timing.AFTER_EACH: "post_infusion",
    Timing.AFTER_INFUSION: "post_infusion",
    Timing.END_OF_COURSE: "post_infusion",
    Timing.FOLLOW_UP_DAYS: "follow_up",
}


@dataclass(frozen=True, order=True)
class Item:
    """One line of a schedule: ask ``measure`` at ``timing`` (``param``: the infusion
    number for AFTER_INFUSION, the days for FOLLOW_UP_DAYS, else None)."""

    measure: str
    timing: str
    param: int | None = None

    def label(self, infusion: int | None = None) -> str:
        """In words: "FIQR after infusion 4"; ``infusion`` names the visit of a per-infusion
        item ("Pain NRS before infusion 3")."""
        name = SHORT_NAMES.get(self.measure, self.measure)
        visit = f"infusion {infusion}" if infusion is not None else "each infusion"
        return name + {
            Timing.BASELINE: " at baseline",
            Timing.BEFORE_EACH: f" before {visit}",
            Timing.AFTER_EACH: f" after {visit}",
            Timing.AFTER_INFUSION: f" after infusion {self.param}",
            Timing.END_OF_COURSE: " at the end of the course",
            Timing.FOLLOW_UP_DAYS: f" {self.param} days after the last infusion",
        }.get(self.timing, f" ({self.timing})")


def item_problems(item: Mapping) -> dict[str, str]:
    """What is wrong with one item given as ``{"measure", "timing", "param"}``, by field."""
    problems = {}
    measure, timing, param = item.get("measure"), item.get("timing"), item.get("param")
    if measure not in SCHEDULABLE:
        known = ", ".join(kind.value for kind in SCHEDULABLE)
        problems["measure"] = f"Unknown measure {measure!r}; one of {known}."
    if timing not in Timing.values:
        problems["timing"] = f"Unknown timing {timing!r}; one of {', '.join(Timing.values)}."
    elif timing in PARAM_RANGES:
        low, high = PARAM_RANGES[timing]
        what = "infusion number" if timing == Timing.AFTER_INFUSION else "number of days"
        if param is None or isinstance(param, bool) or not isinstance(param, int):
            problems["param"] = f"Give the {what} ({low} to {high})."
        elif not low <= param <= high:
            problems["param"] = f"The {what} must be from {low} to {high}."
    elif param is not None:
        problems["param"] = f"{Timing(timing).label} takes no number; leave it empty."
    return problems


def as_item(given) -> dict:
    if isinstance(given, Item):
        return {"measure": given.measure, "timing": given.timing, "param": given.param}
    return {"measure": given.get("measure"), "timing": given.get("timing"),
            "param": given.get("param")}  # fmt: skip


def schedule_problems(items: Iterable) -> list[str]:
    """Every problem of an item list, each message naming the item by its position."""
    messages, seen = [], set()
    items = [as_item(given) for given in items]
    if not items:
        return ["List at least one measure."]
    for position, item in enumerate(items, start=1):
        problems = item_problems(item)
        for field, message in problems.items():
            messages.append(f"Item {position} ({field}): {message}")
        if problems:
            continue
        key = (item["measure"], item["timing"], item["param"])
        if key in seen:
            messages.append(f"Item {position}: {Item(*key).label()} is listed twice.")
        seen.add(key)
    return messages


def item_order(item: Item) -> tuple:
    """Measures in the order pain, FIQR, PHQ-9; timings in their listed order; then n."""
    measures = [kind.value for kind in SCHEDULABLE]
    rank = measures.index(item.measure) if item.measure in measures else len(measures)
    timings = Timing.values
    return (rank, timings.index(item.timing) if item.timing in timings else 99, item.param or 0)


def ordered(items: Iterable[Item]) -> tuple[Item, ...]:
    """A schedule's items in one stable order (``item_order``)."""
    return tuple(sorted(items, key=item_order))
