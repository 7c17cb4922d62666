"""The course summary letter as a PDF: the outcome page's numbers and charts in a letter to
the patient or to the referring physician, HTML rendered by WeasyPrint (its system libraries,
Pango and HarfBuzz, are installed by ``make install`` and ``.ci/run``).

The patient's letter is in the patient's preferred language (Spanish or English, read as the
measures links read it); the referring physician's is always English. The whole letter, the
outcome's labels and the charts' words included, is built inside ``translation.override``,
so nothing in it depends on the language of the request that asked for it."""

from django.template.loader import render_to_string
from django.utils import timezone, translation

from clinic.pdf import html_to_pdf
from scheduling.models import Course

from .charts import outcome_charts
from .course_outcome import course_outcome
from .models import LinkLanguage
from .services.links import link_language

RECIPIENTS = {"patient": "the patient", "physician": "the referring physician"}
DATE_FORMATS = {LinkLanguage.ENGLISH: "F j, Y", LinkLanguage.SPANISH: r"j \d\e F \d\e Y"}


def letter_language(course: Course, *, to: str) -> str:
    """The letter's language: the patient's preferred one for the patient, else English."""
    if to == "patient":
        return link_language(course.patient.preferred_language)
    return LinkLanguage.ENGLISH


def letter_html(course: Course, *, to: str, referrer: str = "") -> str:
    language = letter_language(course, to=to)
    with translation.override(language):
        outcome = course_outcome(course)
        return render_to_string(
            "outcomes/letter.html",
            {
                "outcome": outcome,
                "charts": outcome_charts(outcome),
                "to": to,
                "language": language,
                "date_format": DATE_FORMATS[language],
                "referrer": referrer.strip(),
                "patient": course.patient,
                "today": timezone.localdate(),
                "printing": True,
            },
        )


def letter_pdf(course: Course, *, to: str, referrer: str = "") -> bytes:
    return html_to_pdf(letter_html(course, to=to, referrer=referrer))
