"""The nurse's check-in page: the physician's review this session waits for (before the
nurse checks the patient in), and the measures this visit asked for that the patient did not
answer from home, with a link to each one's staff form (registered on
``scheduling.hooks.check_in_notices``; infusions never imports outcomes)."""

from django.urls import reverse

from patients.forms.measures import MEASURE_SLUGS
from patients.models import MeasureKind

from .reviews import review_gate
from .schedule import CONTEXTS, Timing
from .selectors import due_measures

TEXT = (
    "Not answered from home before this visit: take them on the tablet with the patient "
    "before the infusion starts."
)


def review_gate_at_check_in(appointment) -> list[dict]:
    """The review gate said before check-in, not only at the start button: a session after
    the review point whose course has no review (or a review that stopped it) cannot start,
    so the nurse knows before weighing the patient and the physician can be called now."""
    reasons = review_gate(appointment)
    if not reasons:
        return []
    outcome = reverse("outcomes:course_outcome", args=[appointment.course_id])
    text = "This session cannot start until the physician's review is recorded. " + " ".join(
        reasons
    )
    return [{"text": text, "links": [("The course outcome", outcome)], "level": "danger"}]


def unanswered_at_check_in(appointment) -> list[dict]:
    """Unanswered measures due by this visit's start (the pain score before the infusion is
    taken by the check-in form itself, so it is not listed)."""
    missing = [
        due
        for due in due_measures(appointment.course)
        if due.appointment is not None
        and due.appointment.pk == appointment.pk
        and due.due_at <= appointment.infusion_starts_at
        and not due.answered
        and not (due.measure == MeasureKind.PAIN_NRS and due.timing == Timing.BEFORE_EACH)
    ]
    if not missing:
        return []
    links = [
        (
            f"Record {due.label}",
            reverse(
                "patients:measure_new", args=[appointment.patient_id, MEASURE_SLUGS[due.measure]]
            )
            + f"?context={CONTEXTS[due.timing]}",
        )
        for due in missing
    ]
    return [{"text": TEXT, "links": links}]
