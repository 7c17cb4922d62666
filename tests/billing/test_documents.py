"""Superbills and Good Faith Estimates as PDF files: the PDF carries the paper's fields (the
text is read back with pypdf), each issue is a row, email sends the PDF attached after the
commit, a patient link opens only with the date of birth and stops when it expires."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from billing import services as billing
from billing.documents import link_token
from billing.models import ClinicianNpi, DocumentIssue, DocumentLink, EstimateDelivery
from billing.services.documents import document_issue
from infusions.services import infusion_complete
from tests.chair_clock import advance


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())  # the columns wrap: one space between words


@pytest.fixture
def infused(running, nurse, physician, front_desk, site_billing, prices):
    advance(41)
    infusion_complete(record=running, by=nurse, administered_mg=Decimal("34.9"))
    visit = running.appointment
    ClinicianNpi.objects.create(clinician=physician, npi="1987654324", credentials="MD")
    # Completing the infusion charged the visit (billing.services.charging), at that price.
    return visit


def test_the_superbill_pdf_has_every_field(login, front_desk, infused):
    client = login(front_desk)
    answer = client.post(reverse("billing:superbill_send", args=[infused.pk]),
                         {"method": "download", "dx": ["M79.7"]})  # fmt: skip
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert "attachment" in answer["Content-Disposition"]
    text = pdf_text(answer.content)
    patient = infused.patient
    for expected in ("Superbill", "NPI 1234567893", "TIN 12-3456789", "NPI 1987654324",
                     "M79.7", "96365", "J3490", "34.9 mg", "NDC 0409-2053-10",
                     "Irvine Ketamine Clinic", patient.legal_name, "$550.00",
                     patient.date_of_birth.strftime("%m/%d/%Y")):  # fmt: skip
        assert expected in text, expected
    issue = DocumentIssue.objects.get()
    assert (issue.kind, issue.method, issue.issued_by, issue.appointment) == (
        "visit_superbill", "download", front_desk, infused)  # fmt: skip
    course = client.post(reverse("billing:course_superbill_send", args=[infused.course_id]),
                         {"method": "download"})  # fmt: skip
    assert "96365" in pdf_text(course.content)
    assert DocumentIssue.objects.filter(kind="course_superbill", course=infused.course).exists()


def test_the_estimate_pdf_and_its_email_attachment(
    patient, front_desk, prices, site_billing, django_capture_on_commit_callbacks
):
    estimate = billing.estimate_issue(patient=patient, by=front_desk, infusions=6)
    patient.email = "maria@example.com"
    patient.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        issue = document_issue(by=front_desk, method="email", estimate=estimate)
    assert issue.sent_to == "maria@example.com"
    assert EstimateDelivery.objects.get(estimate=estimate).method == "email"
    (message,) = mail.outbox
    name, content, kind = message.attachments[0]
    assert kind == "application/pdf" and name == f"good-faith-estimate-{estimate.pk}.pdf"
    text = pdf_text(content)
    for expected in ("Good Faith Estimate", "$3000.00", "$3400.00", "NPI 1234567893",
                     "dispute", patient.legal_name):  # fmt: skip
        assert expected in text, expected


def test_email_without_an_address_writes_nothing(patient, front_desk, prices, site_billing):
    estimate = billing.estimate_issue(patient=patient, by=front_desk, infusions=6)
    with pytest.raises(Exception, match="no email"):
        document_issue(by=front_desk, method="email", estimate=estimate)
    assert not DocumentIssue.objects.exists() and not EstimateDelivery.objects.exists()


def test_a_nurse_gives_no_papers(login, nurse, appointment):
    answer = login(nurse).post(reverse("billing:superbill_send", args=[appointment.pk]),
                               {"method": "download"})  # fmt: skip
    assert answer.status_code == 403 and not DocumentIssue.objects.exists()


@pytest.fixture
def link(patient, front_desk, prices, site_billing, django_capture_on_commit_callbacks):
    estimate = billing.estimate_issue(patient=patient, by=front_desk, infusions=6)
    patient.email = "maria@example.com"
    patient.preferred_language = "Spanish"
    patient.save(update_fields=["email", "preferred_language"])
    with django_capture_on_commit_callbacks(execute=True):
        billing.estimate_deliver(estimate=estimate, method="link", by=front_desk)
    return DocumentLink.objects.get()


def test_an_estimate_link_for_a_patient_with_no_email_is_refused(
    patient, front_desk, prices, site_billing
):
    """It would reach nobody, yet the estimate would count as given (its deadline met)."""
    from django.core.exceptions import ValidationError

    estimate = billing.estimate_issue(patient=patient, by=front_desk, infusions=6)
    type(patient).objects.filter(pk=patient.pk).update(email="")
    with pytest.raises(ValidationError) as refused:
        billing.estimate_deliver(estimate=estimate, method="link", by=front_desk)
    assert "no email address" in str(refused.value)
    assert not EstimateDelivery.objects.exists() and not DocumentIssue.objects.exists()


def test_the_patient_link_asks_the_date_of_birth_first(client, link, patient):
    url = reverse("billing:document_link", args=[link_token(link)])
    assert url in mail.outbox[0].body and link.language == "es"
    assert EstimateDelivery.objects.get().method == "link"
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and patient.legal_last_name not in body
    assert "fecha de nacimiento" in body.lower()  # Spanish: the patient's language
    pdf = reverse("billing:document_link_pdf", args=[link_token(link)])
    assert client.get(pdf).status_code == 302  # not proven yet: back to the date of birth
    wrong = client.post(url, {"date_of_birth": "1900-01-01"})
    assert wrong.status_code == 400
    right = client.post(url, {"date_of_birth": patient.date_of_birth.isoformat()})
    assert right.status_code == 302
    page = client.get(url + "?lang=en")
    assert "Download the PDF" in page.content.decode()
    download = client.get(pdf)
    assert download.status_code == 200 and download.content.startswith(b"%PDF-")
    link.refresh_from_db()
    assert link.downloads == 1 and link.failed_dob_attempts == 0


def test_an_expired_or_forged_link_shows_nothing(client, link, patient):
    assert client.get(reverse("billing:document_link", args=["123:forged"])).status_code == 404
    DocumentLink.objects.filter(pk=link.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    url = reverse("billing:document_link", args=[link_token(link)])
    answer = client.post(url, {"date_of_birth": patient.date_of_birth.isoformat()})
    assert answer.status_code == 410 and patient.legal_last_name not in answer.content.decode()


def test_wrong_dates_of_birth_lock_the_link(client, link, patient, settings):
    url = reverse("billing:document_link", args=[link_token(link)])
    for _ in range(settings.PATIENT_LINK_DOB_TRIES):
        client.post(url, {"date_of_birth": "1900-01-01"})
    locked = client.post(url, {"date_of_birth": patient.date_of_birth.isoformat()})
    assert locked.status_code == 429
    pdf = reverse("billing:document_link_pdf", args=[link_token(link)])
    assert client.get(pdf).status_code == 302
