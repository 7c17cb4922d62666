import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from patients.models import ConsentDocument, Patient, WeightMeasurement
from patients.services import (
    consultation_submit,
    measure_record,
    patient_register,
    weight_record,
)
from tests.factories import PatientFactory

PATIENTS = "/api/v1/patients/"

NEW_PATIENT = {
    "legal_first_name": "Maria",
    "legal_last_name": "Lopez",
    "date_of_birth": "1975-04-12",
    "phone": "+19495550123",
}
ALL_CLEAR = dict.fromkeys(
    [
        "cardiovascular", "pregnancy", "psychosis", "hepatic_disease", "intracranial_pressure",
        "intraocular_pressure", "substance_misuse",
    ],
    "no",
)  # fmt: skip


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def records(patient, kind):
    return f"{PATIENTS}{patient.pk}/{kind}/"


def errors(response) -> dict:
    assert response.status_code == 400, response.content
    return response.json()["errors"]


def consent_document(**fields):
    fields = {"title": "IV ketamine consent", "body": "I consent.", **fields}
    return ConsentDocument.objects.create(effective_from=datetime.date(2026, 1, 1), **fields)


@pytest.fixture
def patient(site):
    return PatientFactory(legal_first_name="Ana", legal_last_name="Reyes", home_location=site)


# --- Patients -------------------------------------------------------------------------------


def test_the_front_desk_registers_a_patient_with_an_mrn_and_the_page_flags(login, front_desk, site):
    response = post(login(front_desk), PATIENTS, {**NEW_PATIENT, "home_location": site.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["mrn"].startswith("KC")
    assert body["clearance_state"] == "not_screened"
    assert body["flags"]["no_escort"] is True
    assert "No escort" in body["flags"]["labels"]
    assert Patient.objects.get().created_by == front_desk


def test_a_likely_duplicate_is_refused_with_a_non_field_error_until_confirmed(
    login, front_desk, site
):
    born = datetime.date.fromisoformat(NEW_PATIENT["date_of_birth"])
    patient_register(
        registered_by=front_desk, home_location=site, **{**NEW_PATIENT, "date_of_birth": born}
    )
    client = login(front_desk)
    refused = post(client, PATIENTS, {**NEW_PATIENT, "home_location": site.pk})
    assert "already registered" in errors(refused)["non_field_errors"][0]
    allowed = {**NEW_PATIENT, "home_location": site.pk, "allow_duplicate": True}
    assert post(client, PATIENTS, allowed).status_code == 201
    assert Patient.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("date_of_birth", (timezone.localdate() + datetime.timedelta(days=1)).isoformat()),
        ("phone", "555-not-a-phone"),
    ],
)
def test_a_bad_birth_date_or_phone_is_refused_naming_the_field_and_nothing_is_saved(
    login, front_desk, site, field, value
):
    body = {**NEW_PATIENT, "home_location": site.pk, field: value}
    response = post(login(front_desk), PATIENTS, body)
    assert list(errors(response)) == [field]
    assert Patient.objects.count() == 0


def test_a_patient_cannot_be_registered_at_a_site_the_caller_does_not_work_at(
    login, front_desk, other_site
):
    response = post(login(front_desk), PATIENTS, {**NEW_PATIENT, "home_location": other_site.pk})
    assert list(errors(response)) == ["home_location"]


def test_a_patient_is_never_deleted(login, front_desk, patient):
    response = login(front_desk).delete(f"{PATIENTS}{patient.pk}/")
    assert response.status_code == 405
    assert Patient.objects.filter(pk=patient.pk).exists()


def test_the_front_desk_edits_a_patient_and_a_nurse_may_not(login, front_desk, nurse, patient):
    change = {"preferred_name": "Annie", "payment": "insurance"}
    refused = login(nurse).patch(f"{PATIENTS}{patient.pk}/", change, "application/json")
    assert refused.status_code == 403
    client = login(front_desk)
    incomplete = client.patch(f"{PATIENTS}{patient.pk}/", change, "application/json")
    assert set(errors(incomplete)) == {"insurance_payer", "insurance_member_id"}
    done = client.patch(f"{PATIENTS}{patient.pk}/", {"preferred_name": "Annie"}, "application/json")
    assert done.json()["display_name"] == "Annie Reyes"


def test_deactivating_a_patient_needs_a_reason(login, front_desk, patient):
    client = login(front_desk)
    url = f"{PATIENTS}{patient.pk}/deactivate/"
    assert list(errors(post(client, url, {"reason": ""}))) == ["reason"]
    response = post(client, url, {"reason": "Moved out of state"})
    assert response.json()["is_active"] is False


def test_the_patient_list_searches_by_name_and_filters_by_site(login, clinic_admin, site):
    other = PatientFactory(legal_last_name="Reyes", home_location__code="irvine-north")
    PatientFactory(legal_last_name="Reyes", home_location=site)
    PatientFactory(legal_last_name="Nguyen", home_location=site)
    client = login(clinic_admin)
    found = client.get(PATIENTS, {"q": "rey"}).json()["results"]
    assert {row["legal_last_name"] for row in found} == {"Reyes"}
    assert len(found) == 2
    at_site = client.get(PATIENTS, {"q": "rey", "location": other.home_location_id}).json()
    assert [row["id"] for row in at_site["results"]] == [other.pk]


def test_the_patient_list_runs_a_bounded_number_of_queries(
    login, front_desk, site, django_assert_max_num_queries
):
    PatientFactory.create_batch(20, home_location=site)
    client = login(front_desk)
    with django_assert_max_num_queries(6):
        response = client.get(PATIENTS)
    assert response.json()["count"] == 20


def test_a_patient_of_another_site_is_not_found(login, nurse, other_site):
    stranger = PatientFactory(home_location=other_site)
    client = login(nurse)
    assert client.get(f"{PATIENTS}{stranger.pk}/").status_code == 404
    assert client.get(records(stranger, "weights")).status_code == 404
    assert (
        post(client, records(stranger, "weights"), {"value": "70", "unit": "kg"}).status_code == 404
    )


# --- Escorts and consent --------------------------------------------------------------------


def test_the_first_escort_is_primary_and_deactivating_it_hands_over(login, front_desk, patient):
    client = login(front_desk)
    escort = {"name": "Luis Reyes", "relationship": "Husband", "phone": "+19495550199"}
    first = post(client, records(patient, "escorts"), escort).json()
    second = post(client, records(patient, "escorts"), {**escort, "name": "Eva Reyes"}).json()
    assert (first["is_primary"], second["is_primary"]) == (True, False)
    url = f"{records(patient, 'escorts')}{first['id']}/deactivate/"
    assert post(client, url, {}).json()["is_active"] is False
    listed = {row["name"]: row for row in client.get(records(patient, "escorts")).json()["results"]}
    assert listed["Eva Reyes"]["is_primary"] is True


def test_a_consent_is_signed_with_the_full_legal_name_witnessed_by_the_caller(
    login, front_desk, patient
):
    document = consent_document(version="1.0")
    consent_document(version="0.9", is_current=False)
    client = login(front_desk)
    assert [d["id"] for d in client.get("/api/v1/consent-documents/").json()["results"]] == [
        document.pk
    ]
    url = records(patient, "consent-signatures")
    wrong = post(client, url, {"document": document.pk, "typed_name": "Ana"})
    assert list(errors(wrong)) == ["typed_name"]
    signed = post(client, url, {"document": document.pk, "typed_name": "ana  reyes"})
    assert signed.status_code == 201
    assert signed.json()["witness"]["id"] == front_desk.pk


def test_sms_consent_needs_a_phone_number_on_file(login, front_desk, patient):
    url = records(patient, "communication-consents")
    consent = {"channel": "sms", "granted": True, "method": "verbal"}
    assert list(errors(post(login(front_desk), url, consent))) == ["granted"]
    Patient.objects.filter(pk=patient.pk).update(phone="+19495550123")
    assert post(login(front_desk), url, consent).status_code == 201


# --- Clinical -------------------------------------------------------------------------------


def test_a_nurse_records_an_intake_with_prior_treatments(login, nurse, patient):
    intake = {
        "symptom_duration_months": 30,
        "comorbidities": ["depression", "ibs"],
        "no_known_drug_allergies": True,
        "treatments": [{"kind": "gabapentinoids", "result": "side_effects"}],
    }
    response = post(login(nurse), records(patient, "intakes"), intake)
    assert response.status_code == 201, response.content
    assert response.json()["treatments"] == [
        {"kind": "gabapentinoids", "detail": "", "result": "side_effects"}
    ]
    silent = {**intake, "no_known_drug_allergies": False}
    assert list(errors(post(login(nurse), records(patient, "intakes"), silent))) == ["allergies"]


@pytest.mark.parametrize("kind", ["intakes", "screenings", "weights", "measures"])
def test_the_front_desk_sees_no_clinical_detail(login, front_desk, patient, kind):
    assert login(front_desk).get(records(patient, kind)).status_code == 403


def test_only_a_physician_clears_a_positive_screening(login, nurse, physician, patient):
    response = post(login(nurse), records(patient, "screenings"), {**ALL_CLEAR, "psychosis": "yes"})
    assert response.json()["needs_clearance"] is True
    clear_url = f"{records(patient, 'screenings')}{response.json()['id']}/clearance/"
    decision = {"decision": "cleared_with_conditions", "note": "Psychiatry letter on file."}
    assert post(login(nurse), clear_url, decision).status_code == 403
    assert post(login(physician), clear_url, decision).status_code == 201
    listed = login(physician).get(records(patient, "screenings")).json()["results"]
    assert listed[0]["clearance"]["decision"] == "cleared_with_conditions"
    assert login(physician).get(f"{PATIENTS}{patient.pk}/").json()["clearance_state"] == (
        "cleared_with_conditions"
    )


def test_a_screening_answer_must_be_one_of_the_choices(login, nurse, patient):
    response = post(login(nurse), records(patient, "screenings"), {**ALL_CLEAR, "pregnancy": "?"})
    assert list(errors(response)) == ["pregnancy"]


# --- Weights --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "-5", "900"])
def test_an_implausible_weight_is_refused_naming_value(login, nurse, patient, value):
    response = post(login(nurse), records(patient, "weights"), {"value": value, "unit": "kg"})
    assert list(errors(response)) == ["value"]
    assert WeightMeasurement.objects.count() == 0


def test_a_weight_in_pounds_is_stored_in_kg_and_shown_in_both(login, nurse, patient):
    response = post(login(nurse), records(patient, "weights"), {"value": "154", "unit": "lb"})
    assert response.status_code == 201
    assert (response.json()["weight_kg"], response.json()["weight_lb"]) == ("69.85", "154.0")


def test_a_change_of_over_ten_percent_needs_confirmation(login, nurse, patient):
    weight_record(patient=patient, value=Decimal("70"), unit="kg", measured_by=nurse)
    client = login(nurse)
    heavier = {"value": "80", "unit": "kg"}
    assert list(errors(post(client, records(patient, "weights"), heavier))) == [
        "confirm_large_change"
    ]
    confirmed = post(client, records(patient, "weights"), {**heavier, "confirm_large_change": True})
    assert confirmed.status_code == 201
    assert confirmed.json()["change_from_previous_percent"] == "14.3"


# --- Outcome measures -----------------------------------------------------------------------


def test_a_fiqr_item_out_of_range_is_named_inside_the_answers(login, nurse, patient):
    answers = {f"item_{n}": 5 for n in range(1, 22)} | {"item_11": 11}
    response = post(
        login(nurse), records(patient, "measures"), {"kind": "fiqr", "answers": answers}
    )
    assert list(errors(response)["answers"]) == ["item_11"]


def test_a_phq9_item_out_of_range_is_named_inside_the_answers(login, nurse, patient):
    answers = {f"item_{n}": 1 for n in range(1, 10)} | {"item_4": 4}
    response = post(
        login(nurse), records(patient, "measures"), {"kind": "phq9", "answers": answers}
    )
    assert list(errors(response)["answers"]) == ["item_4"]


def test_a_phq9_is_scored_and_only_a_physician_records_the_item9_follow_up(
    login, nurse, physician, patient
):
    answers = {f"item_{n}": 1 for n in range(1, 10)}
    response = post(
        login(nurse), records(patient, "measures"), {"kind": "phq9", "answers": answers}
    )
    measure = response.json()
    assert (measure["score"], measure["needs_same_day_follow_up"]) == ("9.0", True)
    assert measure["interpretation"]
    url = f"{records(patient, 'measures')}{measure['id']}/phq9-follow-up/"
    note = {"note": "Safety plan reviewed; no active intent."}
    assert post(login(nurse), url, note).status_code == 403
    assert post(login(physician), url, note).status_code == 201
    listed = login(physician).get(records(patient, "measures")).json()["results"]
    assert listed[0]["follow_up"]["physician"]["id"] == physician.pk


def test_measures_are_listed_newest_first_for_a_clinic_admin(login, nurse, clinic_admin, patient):
    measure_record(patient=patient, kind="pain_nrs", answers={"score": 7}, recorded_by=nurse)
    measure_record(patient=patient, kind="pain_nrs", answers={"score": 4}, recorded_by=nurse)
    listed = login(clinic_admin).get(records(patient, "measures")).json()["results"]
    assert [row["score"] for row in listed] == ["4.0", "7.0"]


# --- Consultation requests ------------------------------------------------------------------


@pytest.fixture
def consultation(site):
    return consultation_submit(
        name="Maria Lopez", phone="+19495550123", email="", preferred_location=site, message=""
    )


def test_the_front_desk_converts_a_consultation_request_into_a_patient(
    login, front_desk, site, consultation
):
    client = login(front_desk)
    queue = client.get("/api/v1/consultation-requests/", {"status": "open"}).json()["results"]
    assert [row["id"] for row in queue] == [consultation.pk]
    url = f"/api/v1/consultation-requests/{consultation.pk}/convert/"
    response = post(client, url, {**NEW_PATIENT, "home_location": site.pk})
    assert response.status_code == 201
    consultation.refresh_from_db()
    assert consultation.stage == "registered"
    assert consultation.patient_id == response.json()["id"]
    shown = client.get(f"/api/v1/consultation-requests/{consultation.pk}/").json()
    assert (shown["stage"], shown["status"]) == ("registered", "converted")  # status: deprecated
    assert client.get("/api/v1/consultation-requests/", {"status": "open"}).json()["count"] == 0
    converted = {"status": "converted"}
    assert client.get("/api/v1/consultation-requests/", converted).json()["count"] == 1


def test_closing_a_consultation_request_needs_a_reason_and_nurses_have_no_queue(
    login, front_desk, nurse, consultation
):
    url = f"/api/v1/consultation-requests/{consultation.pk}/close/"
    assert login(nurse).get("/api/v1/consultation-requests/").status_code == 403
    assert list(errors(post(login(front_desk), url, {"reason": " "}))) == ["reason"]
    closed = post(login(front_desk), url, {"reason": "Wrong number"}).json()
    assert (closed["stage"], closed["status"], closed["closed_reason"]) == (
        "lost",
        "closed",
        "Wrong number",
    )


def test_a_request_already_handled_cannot_be_closed_again(login, front_desk, consultation):
    url = f"/api/v1/consultation-requests/{consultation.pk}/close/"
    post(login(front_desk), url, {"reason": "Duplicate"})
    assert (
        "already closed"
        in errors(post(login(front_desk), url, {"reason": "Again"}))["non_field_errors"][0]
    )


@pytest.mark.django_db
def test_the_patients_endpoints_are_in_the_openapi_schema(login, nurse):
    schema = login(nurse).get("/api/schema/").content
    for path in [b"/api/v1/patients/{id}/deactivate/", b"/api/v1/patients/{patient_pk}/weights/"]:
        assert path in schema


@pytest.mark.parametrize(
    "path",
    [
        PATIENTS,
        f"{PATIENTS}1/",
        f"{PATIENTS}1/weights/",
        f"{PATIENTS}1/screenings/1/clearance/",
        "/api/v1/consent-documents/",
        "/api/v1/consultation-requests/",
    ],
)
@pytest.mark.django_db
def test_an_anonymous_caller_is_refused_with_401(client, path):
    assert client.get(path).status_code == 401
    assert client.post(path, {}).status_code == 401
