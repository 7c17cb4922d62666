"""Superbills and Good Faith Estimates as PDF files. Staff (``send`` views, POST): download
to print or hand over, email with the PDF attached, or a patient link; each is an issue
row. The patient (``link`` views, no login): the signed token finds the link, nothing shows
until the date of birth matches, then a page with a download button (English or Spanish)."""

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clinic.access import role_required
from clinic.errors import ConflictError
from clinic.forms import refusal_text
from clinic.patient_links import LANGUAGES, Gate, invalid, link_language
from clinic.roles import DESK
from scheduling.selectors.scope import appointments_for, courses_for

from ..close_forms import SendForm
from ..documents import document_pdf, filename, link_id_from, link_url
from ..models import DocumentLink, IssueMethod
from ..selectors.prices import estimates_for
from ..services import documents as services

KEEPERS = DESK


def _pdf_response(issue) -> HttpResponse:
    response = HttpResponse(document_pdf(issue), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename(issue)}"'
    return response


def _send(request, back: str, **target):
    form = SendForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose how to give it: download, email or patient link.")
        return redirect(back)
    method = form.cleaned_data["method"]
    try:
        issue = services.document_issue(
            by=request.user, method=method, diagnoses=request.POST.getlist("dx"), **target
        )
    except (ValidationError, ConflictError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
        return redirect(back)
    if method == IssueMethod.DOWNLOAD:
        return _pdf_response(issue)
    if method == IssueMethod.EMAIL:
        messages.success(request, f"Emailed to {issue.sent_to} as a PDF attachment.")
    else:
        sent = f" and emailed to {issue.sent_to}" if issue.sent_to else ""
        messages.success(request, f"Patient link made{sent}: {link_url(issue.link)}")
    return redirect(back)


@role_required(*KEEPERS)
@require_POST
def superbill_send(request, pk):
    visit = get_object_or_404(appointments_for(request.user), pk=pk)
    return _send(request, reverse("billing:superbill", args=[pk]), appointment=visit)


@role_required(*KEEPERS)
@require_POST
def course_superbill_send(request, pk):
    course = get_object_or_404(courses_for(request.user), pk=pk)
    return _send(request, reverse("billing:course_superbill", args=[pk]), course=course)


@role_required(*KEEPERS)
@require_POST
def estimate_send(request, pk):
    estimate = get_object_or_404(estimates_for(request.user), pk=pk)
    return _send(request, reverse("billing:estimate", args=[pk]), estimate=estimate)


# --- The patient's side -------------------------------------------------------------------

BASE = "billing/link/base.html"
GATE = Gate(
    kind="billing",
    base=BASE,
    why=gettext_lazy("To keep your papers private, please confirm your date of birth."),
)


def _link(token: str) -> DocumentLink | None:
    pk = link_id_from(token)
    if pk is None:
        return None
    links = DocumentLink.objects.select_related("issue__patient__home_location")
    return links.filter(pk=pk).first()


@never_cache
def document_link(request, token):
    """Date of birth first; then the paper's name and a download button."""
    link = _link(token)
    with translation.override(link_language(request, link.language if link else "en")):
        if link is None:
            return invalid(request, BASE)
        base = {"token": token, "languages": LANGUAGES}
        if link.state() != "live":
            return render(request, "billing/link/closed.html", {**base, "state": link.state()},
                          status=410)  # fmt: skip
        if GATE.proven(request, link):
            context = {**base, "link": link, "issue": link.issue}
            return render(request, "billing/link/download.html", context)
        here = reverse("billing:document_link", args=[token])
        check = functools.partial(services.document_link_check_date_of_birth, link=link)
        zone = link.issue.patient.home_location.time_zone
        return GATE.ask(request, link, check, here=here, time_zone=zone, context=base)


@never_cache
def document_link_pdf(request, token):
    link = _link(token)
    if link is None or link.state() != "live" or not GATE.proven(request, link):
        return redirect("billing:document_link", token=token)
    services.document_link_downloaded(link=link)
    return _pdf_response(link.issue)
