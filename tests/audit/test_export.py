"""The right-of-access export: every area of one patient's record, nobody else's."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.export import patient_record
from audit.models import AccessKind, AccessLog
from infusions.services import correction_record
from patients.models import ConsentDocument, MeasureKind
from patients.services import (
    clearance_record,
    communication_consent_record,
    consent_sign,
    intake_record,
    measure_record,
    screening_record,
)
from scheduling.models import MessageChannel, MessageKind, OutboundMessage
from tests.factories import PatientFactory
from tests.helpers import NEGATIVE, make_appointment, order_for, weigh
from tests.step_up import sign

AREAS = {
    "patients.EscortContact", "patients.ClinicalIntake", "patients.Screening",
    "patients.Clearance", "patients.WeightMeasurement", "patients.ConsentSignature",
    "patients.CommunicationConsent", "patients.OutcomeMeasure", "scheduling.Course",
    "scheduling.Appointment", "infusions.DoseOrder", "infusions.InfusionRecord",
    "infusions.VitalsReading", "infusions.Correction",
    "scheduling.OutboundMessage",
}  # fmt: skip


@pytest.fixture
def full_record(charted, nurse, physician):
    appointment = charted.appointment
    patient = appointment.patient
    patient.email = "pat@example.org"
    patient.save()
    intake_record(patient=patient, recorded_by=nurse, symptom_duration_months=24,
                  no_known_drug_allergies=True)  # fmt: skip
    flagged = screening_record(patient=patient, recorded_by=nurse,
                               answers={**NEGATIVE, "cardiovascular": "yes"})  # fmt: skip
    clearance_record(screening=flagged, physician=physician, decision="cleared", note="BP ok")
    document = ConsentDocument.objects.create(title="Ketamine infusion", version="1", body="...",
                                              effective_from=timezone.localdate(),
                                              is_current=True)  # fmt: skip
    consent_sign(patient=patient, document=document, typed_name=patient.legal_name, witness=nurse)
    communication_consent_record(patient=patient, channel="email", granted=True,
                                 method="written", recorded_by=nurse)  # fmt: skip
    measure_record(
        patient=patient, kind=MeasureKind.PAIN_NRS, answers={"score": 6}, recorded_by=nurse
    )
    sign(order_for(appointment, nurse), physician)
    correction_record(record=charted, by=nurse, vitals=charted.vitals.get(), reason="typo")
    OutboundMessage.objects.create(appointment=appointment, kind=MessageKind.choices[0][0],
                                   channel=MessageChannel.EMAIL, recipient=patient.email,
                                   send_at=timezone.now(), body="See you")  # fmt: skip
    return patient


@pytest.fixture
def other_patient(site, nurse, protocol):
    """Another patient at the same site, with an appointment and a weight."""
    # A last name no staff member has: staff names appear in the export (who recorded what).
    patient = PatientFactory(home_location=site, legal_last_name="Quixotic-Other")
    other = make_appointment(site=site, nurse=nurse, protocol=protocol, patient=patient,
                             starts_at=timezone.now() + datetime.timedelta(days=2))  # fmt: skip
    weigh(other, nurse, "80")
    return other.patient


@pytest.mark.django_db
def test_the_export_holds_every_area_of_the_record_and_no_other_patient(full_record, other_patient):
    record = patient_record(full_record)
    assert record["patient"]["mrn"] == full_record.mrn
    filled = {section["model"] for section in record["sections"] if section["rows"]}
    assert AREAS <= filled, AREAS - filled
    text = json.dumps(record, default=str)
    assert other_patient.mrn not in text and other_patient.legal_last_name not in text
    patient_ids = {row["patient_id"] for s in record["sections"] for row in s["rows"]
                   if "patient_id" in row}  # fmt: skip
    assert patient_ids == {full_record.pk}
    vitals = next(s for s in record["sections"] if s["model"] == "infusions.VitalsReading")
    assert vitals["rows"][0]["taken_by"].endswith(f"({vitals_taker(full_record)})")


def vitals_taker(patient):
    from infusions.models import VitalsReading

    return VitalsReading.objects.get(record__appointment__patient=patient).taken_by.username


@pytest.mark.django_db
def test_the_json_download_is_logged_as_an_export(
    login, clinic_admin, full_record, django_assert_max_num_queries
):
    client = login(clinic_admin)
    with django_assert_max_num_queries(60):
        response = client.get(reverse("audit:patient_export_json", args=[full_record.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'record-{full_record.mrn}.json"')
    assert json.loads(response.content)["patient"]["mrn"] == full_record.mrn
    row = AccessLog.objects.get()
    assert (row.kind, row.patient, row.user) == (AccessKind.EXPORT, full_record, clinic_admin)


@pytest.mark.django_db
def test_the_readable_page_shows_the_sections(login, clinic_admin, full_record):
    response = login(clinic_admin).get(reverse("audit:patient_export", args=[full_record.pk]))
    assert response.status_code == 200
    assert b"Vitals readings" in response.content and b"Download JSON" in response.content
    assert AccessLog.objects.get().kind == AccessKind.EXPORT
