"""Superbills through the API: issue one for a visit or a course (a DocumentIssue row, as
the page), download its PDF (an export in the access log), list the patient's; bad input is
a field error and writes nothing."""

from decimal import Decimal

import pytest

from audit.models import AccessLog
from billing.models import ClinicianNpi, DocumentIssue
from infusions.services import infusion_complete
from tests.billing.test_documents import pdf_text
from tests.chair_clock import advance
from tests.factories import PatientFactory


@pytest.fixture
def infused(running, nurse, physician, site_billing, prices):
    advance(41)
    infusion_complete(record=running, by=nurse, administered_mg=Decimal("34.9"))
    ClinicianNpi.objects.create(clinician=physician, npi="1987654324", credentials="MD")
    return running.appointment


def url(patient, rest=""):
    return f"/api/v1/patients/{patient.pk}/superbills/{rest}"


def test_issue_a_visit_superbill_then_download_its_pdf(login, front_desk, infused):
    patient = infused.patient
    client = login(front_desk)
    payload = {"appointment": infused.pk, "method": "download", "diagnoses": ["M79.7"]}
    answer = client.post(url(patient), payload, content_type="application/json")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    issue = DocumentIssue.objects.get()
    assert (body["id"], body["kind"], body["appointment"], body["diagnoses"]) == (
        issue.pk, "visit_superbill", infused.pk, ["M79.7"])  # fmt: skip
    assert (issue.method, issue.issued_by, issue.patient) == ("download", front_desk, patient)
    pdf = client.get(body["pdf"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "superbill-visit" in pdf["Content-Disposition"]
    text = pdf_text(pdf.content)
    for expected in ("Superbill", "96365", "J3490", "M79.7", "NPI 1987654324", "$550.00"):
        assert expected in text, expected
    export = AccessLog.objects.filter(view_name="patient-superbill-pdf").get()
    assert (export.patient, export.kind, export.user) == (patient, "export", front_desk)
    # Asking for the PDF by its media type works too; a refusal is still JSON.
    assert client.get(body["pdf"], HTTP_ACCEPT="application/pdf").status_code == 200
    missing = client.get(url(patient, "999999/pdf/"), HTTP_ACCEPT="application/pdf")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/json"


def test_issue_a_course_superbill_and_list_them(login, front_desk, infused, settings,
                                                django_capture_on_commit_callbacks):  # fmt: skip
    from django.core import mail

    patient = infused.patient
    patient.email = "maria@example.com"
    patient.save(update_fields=["email"])
    client = login(front_desk)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url(patient), {"course": infused.course_id, "method": "email"},
                             content_type="application/json")  # fmt: skip
    assert answer.status_code == 201, answer.content
    assert answer.json()["kind"] == "course_superbill" and answer.json()["sent_to"] == patient.email
    assert len(mail.outbox) == 1 and mail.outbox[0].attachments[0][2] == "application/pdf"
    visit = client.post(url(patient), {"appointment": infused.pk, "method": "link"},
                        content_type="application/json")  # fmt: skip
    assert visit.status_code == 201 and "/billing/papers/" in visit.json()["link"]
    rows = client.get(url(patient)).json()["results"]
    assert [row["kind"] for row in rows] == ["visit_superbill", "course_superbill"]
    assert [r["id"] for r in client.get(url(patient, "?ordering=issued_at")).json()["results"]] == [
        rows[1]["id"], rows[0]["id"]]  # fmt: skip
    only = client.get(url(patient, "?kind=course_superbill")).json()["results"]
    assert [row["kind"] for row in only] == ["course_superbill"]
    assert client.get(url(patient, "?kind=estimate")).status_code == 400
    assert AccessLog.objects.filter(view_name="patient-superbill-list", patient=patient).exists()


@pytest.mark.parametrize("payload, field", [
    ({"method": "download"}, "non_field_errors"),
    ({"appointment": 1, "course": 1, "method": "download"}, "non_field_errors"),
    ({"appointment": "x", "method": "download"}, "appointment"),
    ({"appointment": None, "method": "fax"}, "method"),
    ({"appointment": None, "method": "download", "diagnoses": ["Z99.9"]}, "diagnoses"),
    ({"appointment": "other", "method": "download"}, "appointment"),
    ({"course": "other", "method": "download"}, "course"),
    ({"appointment": None, "method": "email"}, "method"),  # no address on file
])  # fmt: skip
def test_bad_input_is_a_field_error_and_writes_nothing(
    login, front_desk, infused, site, nurse, protocol, payload, field
):
    from tests.helpers import make_appointment

    patient = infused.patient
    stranger = PatientFactory(home_location=site)
    someone_else = make_appointment(site=site, nurse=nurse, protocol=protocol, patient=stranger)
    fill = {"appointment": infused.pk, "course": infused.course_id}
    payload = dict(payload)
    for key in ("appointment", "course"):
        if key in payload and payload[key] is None:
            payload[key] = fill[key]
        elif payload.get(key) == "other":
            payload[key] = someone_else.pk if key == "appointment" else someone_else.course_id
    answer = login(front_desk).post(url(patient), payload, content_type="application/json")
    assert answer.status_code == 400, answer.content
    assert field in answer.json()["errors"], answer.json()
    assert not DocumentIssue.objects.exists()


def test_a_nurse_issues_no_superbill_and_another_sites_patient_is_a_404(
    login, nurse, front_desk, infused, other_site
):
    patient = infused.patient
    answer = login(nurse).post(url(patient), {"appointment": infused.pk, "method": "download"},
                               content_type="application/json")  # fmt: skip
    assert answer.status_code == 403 and not DocumentIssue.objects.exists()
    stranger = PatientFactory(home_location=other_site)
    assert login(front_desk).get(url(stranger)).status_code == 404


def test_no_superbill_for_a_visit_not_given_yet(login, front_desk, running, site_billing):
    """The infusion is still running (or the visit is tomorrow, or was cancelled): nothing
    to bill yet, so no paper is issued."""
    patient = running.appointment.patient
    payload = {"appointment": running.appointment_id, "method": "download"}
    answer = login(front_desk).post(url(patient), payload, content_type="application/json")
    assert answer.status_code == 400 and "nothing to give" in answer.content.decode()
    assert not DocumentIssue.objects.exists()
