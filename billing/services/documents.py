"""Giving a patient a superbill or a Good Faith Estimate as a PDF: downloaded (to print or
hand over), emailed as an attachment (sent after the commit, to the address on file), or
through a patient link (signed, expiring, date of birth first). Every issue is a row."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from clinic.access import require_role
from clinic.errors import ConflictError
from clinic.models import User
from clinic.roles import DESK
from outcomes.services.links import link_language
from patients.models import Patient
from scheduling.models import Appointment, Course

from ..models import (
    DeliveryMethod,
    DocumentIssue,
    DocumentKind,
    DocumentLink,
    EstimateDelivery,
    GoodFaithEstimate,
    IssueMethod,
)
from ..selectors.superbill import course_visits, patient_diagnoses, superbill_for

logger = logging.getLogger(__name__)
ISSUERS = DESK


def _bills_an_infusion(appointment, course, patient) -> bool:
    visits = [appointment] if appointment is not None else course_visits(course)
    return bool(superbill_for(visits, patient).services)


@transaction.atomic
def document_issue(
    *,
    by: User,
    method: str,
    appointment: Appointment | None = None,
    course: Course | None = None,
    estimate: GoodFaithEstimate | None = None,
    diagnoses: list[str] | tuple = (),
) -> DocumentIssue:
    """Issue one paper (exactly one of ``appointment``: that infusion's superbill,
    ``course``: the course's superbill, ``estimate``) by ``method`` (download, email, link).
    The caller has found the object among the user's (``*_for(user)``). An estimate sent by
    email or link is also recorded as given (``EstimateDelivery``)."""
    require_role(by, *ISSUERS, doing="give patients superbills and estimates")
    if method not in IssueMethod.values:
        raise ValidationError({"method": "Choose download, email or patient link."})
    if estimate is not None:
        kind, patient = DocumentKind.ESTIMATE, estimate.patient
        if GoodFaithEstimate.objects.filter(supersedes=estimate).exists():
            raise ConflictError({"estimate": "This estimate was replaced; give the updated one."})
    elif course is not None:
        kind, patient = DocumentKind.COURSE_SUPERBILL, course.patient
    elif appointment is not None:
        kind, patient = DocumentKind.VISIT_SUPERBILL, appointment.patient
    else:
        raise ValidationError({"__all__": "Name the superbill or estimate to give."})
    patient = Patient.objects.get(pk=patient.pk)  # the address on file now
    if estimate is None and not _bills_an_infusion(appointment, course, patient):
        raise ValidationError({"__all__": (
            "No infusion was given at this visit yet: a superbill lists infusions given, so "
            "there is nothing to give the insurer."
        ) if appointment is not None else (
            "No infusion of this course was given yet: there is nothing to give the insurer."
        )})  # fmt: skip
    if estimate is None:
        known = patient_diagnoses(patient)
        if unknown := [code for code in diagnoses if code not in known]:
            raise ValidationError(
                {
                    "diagnoses": f"Not among the patient's diagnoses: "
                    f"{', '.join(unknown)} (choose from {', '.join(known)})."
                }
            )
    sent_to = ""
    if method in (IssueMethod.EMAIL, IssueMethod.LINK):
        sent_to = patient.email
        if method == IssueMethod.EMAIL and not sent_to:
            raise ValidationError({"method": "The patient has no email address on file."})
        if estimate is not None and not sent_to:
            # An estimate given by link is recorded as given (its deadline met): only when
            # the link goes somewhere.
            raise ValidationError({"method": (
                "The patient has no email address on file, so the link would reach nobody "
                "and the estimate would not be given: print it and hand it over, or add an "
                "email address first."
            )})  # fmt: skip
    issue = DocumentIssue(
        patient=patient, kind=kind, appointment=appointment, course=course, estimate=estimate,
        diagnoses=",".join(diagnoses), method=method, sent_to=sent_to, issued_by=by,
    )  # fmt: skip
    issue.full_clean()
    issue.save()
    if method == IssueMethod.LINK:
        link = DocumentLink(
            issue=issue, language=link_language(patient.preferred_language),
            expires_at=timezone.now() + datetime.timedelta(hours=settings.PATIENT_LINK_HOURS),
        )  # fmt: skip
        link.full_clean()
        link.save()
    if estimate is not None and method != IssueMethod.DOWNLOAD:
        delivered = DeliveryMethod.EMAIL if method == IssueMethod.EMAIL else DeliveryMethod.LINK
        EstimateDelivery.objects.create(
            estimate=estimate, method=delivered, sent_to=sent_to, delivered_by=by
        )
    if sent_to:
        transaction.on_commit(lambda: send_document(issue.pk))
    return issue


def send_document(issue_pk: int) -> int:
    """Email the paper (attached) or its link to the address the issue names."""
    from ..documents import document_pdf, filename, link_url

    issue = DocumentIssue.objects.select_related("patient", "estimate", "course",
                                                 "appointment").get(pk=issue_pk)  # fmt: skip
    what = issue.get_kind_display()
    if issue.method == IssueMethod.LINK:
        body = (
            f"Your {what} is ready. Open this link and confirm your date of birth to download "
            f"it: {link_url(issue.link)}\nThe link works for {settings.PATIENT_LINK_HOURS} hours."
        )
        message = EmailMessage(subject=f"Your {what}", body=body, to=[issue.sent_to])
    else:
        body = f"Your {what} is attached as a PDF file. Keep it for your records."
        if issue.estimate is not None:
            from .prices import DISPUTE_NOTICE

            body += (
                f"\n\nGood Faith Estimate {issue.estimate_id}: total expected charges "
                f"${issue.estimate.total_usd}.\n\n{DISPUTE_NOTICE}"
            )
        message = EmailMessage(subject=f"Your {what}", body=body, to=[issue.sent_to])
        message.attach(filename(issue), document_pdf(issue), "application/pdf")
    return message.send()


# --- The patient's side of a link ---------------------------------------------------------


@transaction.atomic
def document_link_check_date_of_birth(*, link: DocumentLink, date_of_birth) -> bool:
    """True when the date of birth is the patient's. Wrong ones are counted on the row:
    PATIENT_LINK_DOB_TRIES lock the link for PATIENT_LINK_LOCK_MINUTES, and
    PATIENT_LINK_DOB_MAX_FAILURES in all close it (the same settings as measures links)."""
    link = DocumentLink.objects.select_for_update().select_related("issue__patient").get(pk=link.pk)
    now = timezone.now()
    if link.state(now) != "live":
        raise ValidationError(f"This link is {link.state(now)}.", code=link.state(now))
    # Out of tries, the link reads as revoked (DocumentLink.state).
    actual = link.issue.patient.date_of_birth
    return link.date_of_birth_matches(date_of_birth, actual=actual, now=now)


@transaction.atomic
def document_link_downloaded(*, link: DocumentLink) -> None:
    DocumentLink.objects.filter(pk=link.pk).update(downloads=F("downloads") + 1)
