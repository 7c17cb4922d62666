import datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from patients.models import ConsentDocument, Patient, WeightMeasurement
from patients.services import (
    clearance_record,
    communication_consent_record,
    consent_sign,
    consultation_submit,
    contact_attempt_record,
    escort_add,
    intake_record,
    measure_record,
    phq9_follow_up_record,
    screening_record,
    weight_record,
)
from tests.factories import PatientFactory

PATIENT_MODELS = sorted(
    model._meta.model_name for model in admin.site._registry if model._meta.app_label == "patients"
)
SCREENING = dict.fromkeys(
    [
        "cardiovascular", "pregnancy", "psychosis", "hepatic_disease", "intracranial_pressure",
        "intraocular_pressure", "substance_misuse",
    ],
    "no",
)  # fmt: skip


def url(model_name: str, view: str, *args) -> str:
    return reverse(f"admin:patients_{model_name}_{view}", args=args)


@pytest.fixture
def chart(site, front_desk, nurse, physician):
    """One patient with a row in every patients model, made through the services."""
    patient = PatientFactory(
        legal_first_name="Ana", legal_last_name="Reyes", phone="+19495550123", home_location=site
    )
    escort_add(
        patient=patient, name="Luis", relationship="Husband", phone="+19495550199",
        added_by=front_desk,
    )  # fmt: skip
    intake_record(
        patient=patient, recorded_by=nurse, symptom_duration_months=24,
        no_known_drug_allergies=True, treatments=[{"kind": "cbt", "result": "partial"}],
    )  # fmt: skip
    screening = screening_record(
        patient=patient, recorded_by=nurse, answers={**SCREENING, "cardiovascular": "unknown"}
    )
    clearance_record(screening=screening, physician=physician, decision="cleared", note="BP ok")
    weight_record(patient=patient, value=Decimal("70"), unit="kg", measured_by=nurse)
    phq9 = measure_record(
        patient=patient, kind="phq9", answers={f"item_{n}": 1 for n in range(1, 10)},
        recorded_by=nurse,
    )  # fmt: skip
    phq9_follow_up_record(measure=phq9, physician=physician, note="Safety plan reviewed.")
    document = ConsentDocument.objects.create(
        title="IV ketamine consent", version="1.0", body="I consent.",
        effective_from=datetime.date(2026, 1, 1),
    )  # fmt: skip
    consent_sign(patient=patient, document=document, typed_name="Ana Reyes", witness=front_desk)
    communication_consent_record(
        patient=patient, channel="sms", granted=True, method="verbal", recorded_by=front_desk
    )
    request = consultation_submit(
        name="Maria Lopez", phone="+19495550111", email="", preferred_location=site, message=""
    )
    contact_attempt_record(
        request=request, channel="phone", outcome="voicemail", recorded_by=front_desk
    )
    return patient


def test_every_patients_model_is_registered_in_the_admin():
    assert len(PATIENT_MODELS) == 15


@pytest.mark.parametrize("model_name", PATIENT_MODELS)
def test_a_clinic_admin_opens_every_patients_changelist_and_record(
    client, clinic_admin, chart, model_name
):
    client.force_login(clinic_admin)
    changelist = client.get(url(model_name, "changelist"))
    assert changelist.status_code == 200
    record = changelist.context["cl"].result_list[0]
    assert client.get(url(model_name, "change", record.pk)).status_code == 200


def test_a_patient_is_never_deleted_in_the_admin(client, clinic_admin, chart):
    client.force_login(clinic_admin)
    changelist = client.get(url("patient", "changelist"))
    assert b"delete_selected" not in changelist.content
    change = client.get(url("patient", "change", chart.pk))
    assert b"deletelink" not in change.content
    assert client.post(url("patient", "delete", chart.pk), {"post": "yes"}).status_code == 403
    assert Patient.objects.filter(pk=chart.pk).exists()


def registration_form(site, **overrides) -> dict:
    return {
        "legal_first_name": "Maria", "legal_last_name": "Lopez", "date_of_birth": "1975-04-12",
        "sex": "female", "phone": "", "email": "", "state": "CA", "preferred_language": "English",
        "home_location": site.pk, "payment": "self_pay", **overrides,
    }  # fmt: skip


def test_registering_in_the_admin_goes_through_the_service(client, clinic_admin, site):
    client.force_login(clinic_admin)
    response = client.post(url("patient", "add"), registration_form(site))
    assert response.status_code == 302, response.context["adminform"].form.errors
    patient = Patient.objects.get()
    assert patient.mrn.startswith("KC")
    assert patient.created_by == clinic_admin


def test_the_admin_shows_the_services_errors_on_the_form_and_saves_nothing(
    client, clinic_admin, site
):
    client.force_login(clinic_admin)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(url("patient", "add"), registration_form(site, date_of_birth=tomorrow))
    assert response.status_code == 200
    assert "date_of_birth" in response.context["adminform"].form.errors
    assert Patient.objects.count() == 0


def test_a_likely_duplicate_needs_the_different_person_box_in_the_admin(client, clinic_admin, site):
    client.force_login(clinic_admin)
    client.post(url("patient", "add"), registration_form(site))
    refused = client.post(url("patient", "add"), registration_form(site))
    assert "already registered" in str(refused.context["adminform"].form.non_field_errors())
    confirmed = client.post(url("patient", "add"), registration_form(site, allow_duplicate="on"))
    assert confirmed.status_code == 302
    assert Patient.objects.count() == 2


def test_editing_in_the_admin_keeps_the_mrn(client, clinic_admin, site, chart):
    client.force_login(clinic_admin)
    form = registration_form(site, legal_first_name="Ana", legal_last_name="Reyes")
    form["mrn"] = "KC9999999"
    response = client.post(url("patient", "change", chart.pk), form)
    assert response.status_code == 302
    edited = Patient.objects.get(pk=chart.pk)
    assert (edited.mrn, edited.legal_last_name) == (chart.mrn, "Reyes")
    assert edited.date_of_birth == datetime.date(1975, 4, 12)


def test_clinical_entries_cannot_be_added_changed_or_deleted_in_the_admin(
    client, clinic_admin, chart
):
    client.force_login(clinic_admin)
    weight = WeightMeasurement.objects.get()
    assert client.get(url("weightmeasurement", "add")).status_code == 403
    assert client.post(url("weightmeasurement", "change", weight.pk), {}).status_code == 403
    assert client.post(url("weightmeasurement", "delete", weight.pk)).status_code == 403


def test_a_signed_consent_version_is_read_only_and_an_unsigned_one_is_editable(
    client, clinic_admin, chart
):
    client.force_login(clinic_admin)
    signed = ConsentDocument.objects.get()
    page = client.get(url("consentdocument", "change", signed.pk))
    assert page.context["has_change_permission"] is False
    new_version = {
        "title": signed.title, "version": "2.0", "body": "I consent, v2.",
        "effective_from": "2026-06-01", "is_current": "on",
    }  # fmt: skip
    assert client.post(url("consentdocument", "add"), new_version).status_code == 302
    draft = ConsentDocument.objects.get(version="2.0")
    edit = {**new_version, "body": "I consent, v2 (typo fixed)."}
    assert client.post(url("consentdocument", "change", draft.pk), edit).status_code == 302
    draft.refresh_from_db()
    assert draft.body == "I consent, v2 (typo fixed)."


@pytest.mark.parametrize("model_name", ["weightmeasurement", "outcomemeasure"])
def test_the_admin_filters_mistaken_entries_and_corrections(
    client, clinic_admin, chart, nurse, model_name
):
    from patients.models import OutcomeMeasure, WeightMeasurement
    from patients.services import measure_correct, weight_correct

    if model_name == "weightmeasurement":
        wrong = WeightMeasurement.objects.filter(patient=chart).first()
        fixed = weight_correct(
            weight=wrong, value=Decimal("71.5"), unit="kg", reason="Scale misread",
            corrected_by=nurse,
        )  # fmt: skip
    else:
        wrong = OutcomeMeasure.objects.filter(patient=chart, kind="phq9").first()
        fixed = measure_correct(
            measure=wrong, answers={f"item_{n}": 0 for n in range(1, 10)}, reason="Wrong form",
            corrected_by=nurse,
        )  # fmt: skip
    client.force_login(clinic_admin)
    for value, expected in (("corrected", wrong), ("correction", fixed)):
        changelist = client.get(url(model_name, "changelist"), {"correction": value})
        assert list(changelist.context["cl"].result_list) == [expected]
