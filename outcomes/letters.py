"""The course summary letter as a PDF: the outcome page's numbers and charts in a letter to
the patient or to the referring physician, HTML rendered by WeasyPrint (its system libraries,
Pango and HarfBuzz, are installed by ``make install`` and ``.ci/run``)."""

from django.template.loader import render_to_string
from django.utils import timezone

from .charts import outcome_charts
from .course_outcome import CourseOutcome

RECIPIENTS = {"patient": "the patient", "physician": "the referring physician"}


def letter_html(outcome: CourseOutcome, *, to: str, referrer: str = "") -> str:
    return render_to_string(
        "outcomes/letter.html",
        {
            "outcome": outcome,
            "charts": outcome_charts(outcome),
            "to": to,
            "referrer": referrer.strip(),
            "patient": outcome.course.patient,
            "today": timezone.localdate(),
            "printing": True,
        },
    )


def letter_pdf(outcome: CourseOutcome, *, to: str, referrer: str = "") -> bytes:
    from weasyprint import HTML  # imported here: only the letter needs Pango loaded

    return HTML(string=letter_html(outcome, to=to, referrer=referrer)).write_pdf()
