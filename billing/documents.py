"""The papers given to patients as PDF files: a superbill (one infusion or a whole course)
and a Good Faith Estimate, rendered from the same templates as the printable pages
(``billing/_superbill_paper.html``, ``billing/_estimate_paper.html``) by WeasyPrint; and the
patient link's signed token."""

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from clinic.pdf import html_to_pdf
from clinic.signed_ids import id_from, sign_id

from .models import DocumentIssue, DocumentKind, GoodFaithEstimate
from .selectors.superbill import course_visits, superbill_for

PAPER_CSS = Path(settings.BASE_DIR) / "static" / "billing" / "paper.css"
LINK_SALT = "billing.document-link"


def _paper_html(paper: str, title: str, context: dict) -> str:
    css = PAPER_CSS.read_text()
    return render_to_string(
        "billing/paper_pdf.html", {**context, "paper": paper, "title": title, "paper_css": css}
    )


def superbill_html(issue: DocumentIssue) -> str:
    if issue.kind == DocumentKind.VISIT_SUPERBILL:
        visit = issue.appointment
        visits = [visit]
        scope = f"Visit of {visit.location.date_of(visit.starts_at):%m/%d/%Y}"
    else:
        visits, scope = course_visits(issue.course), "Whole course"
    chosen = [code for code in issue.diagnoses.split(",") if code]
    bill = superbill_for(visits, issue.patient, chosen=chosen)
    return _paper_html("billing/_superbill_paper.html", "Superbill",
                       {"bill": bill, "patient": issue.patient, "scope": scope})  # fmt: skip


def estimate_html(estimate: GoodFaithEstimate) -> str:
    from .services.prices import DISPUTE_NOTICE

    context = {"estimate": estimate, "patient": estimate.patient, "notice": DISPUTE_NOTICE}
    return _paper_html("billing/_estimate_paper.html", "Good Faith Estimate", context)


def document_pdf(issue: DocumentIssue) -> bytes:
    if issue.kind == DocumentKind.ESTIMATE:
        return html_to_pdf(estimate_html(issue.estimate))
    return html_to_pdf(superbill_html(issue))


def filename(issue: DocumentIssue) -> str:
    if issue.kind == DocumentKind.ESTIMATE:
        return f"good-faith-estimate-{issue.estimate_id}.pdf"
    if issue.kind == DocumentKind.COURSE_SUPERBILL:
        return f"superbill-course-{issue.course_id}.pdf"
    return f"superbill-visit-{issue.appointment_id}.pdf"


def link_token(link) -> str:
    return sign_id(link.pk, salt=LINK_SALT)


def link_id_from(token: str) -> int | None:
    return id_from(token, salt=LINK_SALT)


def link_url(link) -> str:
    path = reverse("billing:document_link", args=[link_token(link)])
    return settings.REMINDER_LINK_BASE_URL.rstrip("/") + path
