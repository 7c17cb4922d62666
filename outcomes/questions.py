"""The patient page's questions: a link's due measures as one question per step.

Plain values and translatable words, no ORM. The questionnaire texts are the staff forms'
own (``patients.forms.measures``), marked for translation there, so the tablet and the
phone ask the same questions; the answers are keyed exactly as the staff forms key them, so
``patients.services.measure_record_from_home`` scores them with the same code.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from patients import scoring
from patients.forms.measures import FIQR_ITEMS, FIQR_SECTIONS, PHQ9_ANSWERS, PHQ9_ITEMS
from patients.models import MeasureKind

from .schedule import Timing

TITLES = {
    MeasureKind.PAIN_NRS: _("Pain"),
    MeasureKind.FIQR: _("Fibromyalgia impact (FIQR)"),
    MeasureKind.PHQ9: _("Mood (PHQ-9)"),
}
PHQ9_STEM = _("Over the last 2 weeks, how often have you been bothered by this?")
PAIN_QUESTION = _("How bad is your pain right now?")
ZERO_TO_TEN = {
    "pain": (_("0 = no pain"), _("10 = worst pain imaginable")),
    scoring.FIQR_FUNCTION: (_("0 = no difficulty"), _("10 = very difficult")),
    scoring.FIQR_OVERALL_IMPACT: (_("0 = never"), _("10 = always")),
    scoring.FIQR_SYMPTOMS: (_("0 = none"), _("10 = the worst")),
}


def when_label(item: dict):
    """When a link's item is asked for, in the patient's words."""
    timing, number = item["timing"], item.get("infusion")
    if timing == Timing.BASELINE:
        return _("Before your course starts")
    if timing == Timing.BEFORE_EACH:
        return _("Before infusion %(number)s") % {"number": number}
    if timing in (Timing.AFTER_EACH, Timing.AFTER_INFUSION):
        return _("After infusion %(number)s") % {"number": number}
    if timing == Timing.END_OF_COURSE:
        return _("At the end of your course")
    return pgettext_lazy("follow-up", "%(days)s days after your last infusion") % {
        "days": item["param"]
    }


@dataclass(frozen=True)
class Step:
    """One question: ``number`` counts from 1 across the whole link; ``item`` is the index
    of its measure in the link's items; ``field`` the answer's key (``score``, ``item_4``)."""

    number: int
    item: int
    kind: str
    field: str
    section: object
    question: object
    choices: list
    anchors: tuple = ()

    @property
    def key(self) -> str:
        return str(self.number)


def _fiqr_section(number: int) -> str:
    return next(
        domain for domain, first, last, _divisor in scoring.FIQR_DOMAINS if first <= number <= last
    )


def _questions(kind: str) -> list[tuple]:
    """(field, section, question, choices, anchors) of one questionnaire, in order."""
    scale = [(n, str(n)) for n in range(11)]
    if kind == MeasureKind.PAIN_NRS:
        return [("score", "", PAIN_QUESTION, scale, ZERO_TO_TEN["pain"])]
    if kind == MeasureKind.FIQR:
        rows = []
        for number, text in enumerate(FIQR_ITEMS, start=1):
            domain = _fiqr_section(number)
            rows.append((f"item_{number}", FIQR_SECTIONS[domain], text, scale, ZERO_TO_TEN[domain]))
        return rows
    if kind == MeasureKind.PHQ9:
        return [
            (f"item_{number}", PHQ9_STEM, text, list(PHQ9_ANSWERS), ())
            for number, text in enumerate(PHQ9_ITEMS, start=1)
        ]
    raise ValueError(f"No home questions for {kind}")


def steps(items: list[dict]) -> list[Step]:
    """Every question of a link's items, numbered 1..n across all of them."""
    found = []
    for index, item in enumerate(items):
        for field, section, question, choices, anchors in _questions(item["measure"]):
            found.append(
                Step(len(found) + 1, index, item["measure"], field, section, question, choices,
                     anchors)
            )  # fmt: skip
    return found


def valid_answer(step: Step, value) -> bool:
    return any(value == choice for choice, _label in step.choices)


def answers_of(items: list[dict], draft: dict) -> list[dict]:
    """Each item's answers from the draft, keyed as the staff forms key them (None:
    unanswered), in the items' order."""
    answers: list[dict] = [{} for _item in items]
    for step in steps(items):
        answers[step.item][step.field] = draft.get(step.key)
    return answers


PHQ9_SELF_HARM_ITEM = f"item_{scoring.PHQ9_ITEM_COUNT}"


def self_harm_positive(items: list[dict], draft: dict) -> bool:
    """Any PHQ-9 item 9 above zero among the answers so far."""
    return any(
        step.kind == MeasureKind.PHQ9
        and step.field == PHQ9_SELF_HARM_ITEM
        and (draft.get(step.key) or 0) > 0
        for step in steps(items)
    )


def is_self_harm_item(step: Step) -> bool:
    return step.kind == MeasureKind.PHQ9 and step.field == PHQ9_SELF_HARM_ITEM


def unanswered_before_self_harm(items: list[dict], draft: dict, step: Step) -> Step | None:
    """For PHQ-9 item 9: the first of its questionnaire's earlier items not answered yet (it
    is asked first), else None. Item 9 is answered last, so that a positive answer finds the
    PHQ-9 whole and it is recorded, and the physicians told, at once."""
    if not is_self_harm_item(step):
        return None
    return next(
        (
            earlier
            for earlier in steps(items)
            if earlier.item == step.item
            and earlier.number < step.number
            and draft.get(earlier.key) is None
        ),
        None,
    )
