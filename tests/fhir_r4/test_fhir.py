"""FHIR R4 endpoints: every resource they produce validates with the fhir.resources R4
(4.0.1) models; US Core codes and profiles; searches, paging and errors as FHIR expects;
the API's authentication, scopes, site limits and access log."""

from urllib.parse import urlparse

import pytest
from django.urls import reverse
from fhir.resources import __fhir_version__, construct_fhir_element

from audit.models import AccessLog
from fhir_r4.search import PARAMETERS
from infusions.services import vitals_record
from integrations.services import api_key_create
from patients.services import measure_record
from tests.chair_clock import advance
from tests.factories import InfusionRecordFactory, PatientFactory
from tests.helpers import GOOD, discharge, in_recovery, make_appointment, weigh

FHIR = "/fhir/r4/"
PHQ9 = {f"item_{n}": 1 for n in range(1, 10)}
FIQR = {f"item_{n}": 5 for n in range(1, 22)}


def valid(body: dict):
    """The resource parsed by the R4 model of its type (raises on anything invalid)."""
    return construct_fhir_element(body["resourceType"], body)


def fhir_get(client, path: str, status: int = 200, **extra) -> dict:
    response = client.get(path if path.startswith("/") else FHIR + path, **extra)
    assert response.status_code == status, (path, response.status_code, response.content[:400])
    assert response["Content-Type"].startswith("application/fhir+json")
    body = response.json()
    valid(body)
    return body


def by_type(bundle: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for entry in bundle.get("entry", []):
        found.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    return found


def codes_of(resource: dict) -> set[str]:
    return {coding["code"] for coding in resource["code"]["coding"]}


@pytest.fixture
def full_patient(running, nurse):
    """A patient with one whole infusion (vitals, dose given, recovery, discharge with pain),
    a weight, a PHQ-9, a FIQR and a pain score."""
    record = in_recovery(running, nurse)
    discharge(record, nurse)
    patient = record.appointment.patient
    weigh(record.appointment, nurse, "70.4")
    measure_record(patient=patient, kind="phq9", answers=PHQ9, recorded_by=nurse)
    measure_record(patient=patient, kind="fiqr", answers=FIQR, recorded_by=nurse)
    measure_record(patient=patient, kind="pain_nrs", answers={"score": 4}, recorded_by=nurse)
    return patient


def test_the_models_are_fhir_r4():
    assert __fhir_version__ == "4.0.1"


# --- A full patient ----------------------------------------------------------------------------


def test_everything_of_a_full_patient_validates_as_r4_with_us_core_codes(
    login, nurse, full_patient
):
    bundle = fhir_get(login(nurse), f"Patient/{full_patient.pk}/$everything")
    assert bundle["type"] == "searchset" and bundle["total"] == len(bundle["entry"])
    found = by_type(bundle)
    assert set(found) == {"Patient", "Observation", "QuestionnaireResponse", "Encounter",
                          "MedicationAdministration", "Appointment"}  # fmt: skip
    for resource in (entry["resource"] for entry in bundle["entry"]):
        valid(resource)

    (patient,) = found["Patient"]
    assert patient["identifier"][0]["value"] == full_patient.mrn
    assert patient["identifier"][0]["system"].startswith("urn:")
    assert patient["meta"]["profile"] == [
        "http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"
    ]
    assert patient["birthDate"] == full_patient.date_of_birth.isoformat()

    observations = found["Observation"]
    codes = set().union(*(codes_of(obs) for obs in observations))
    assert {"85354-9", "8867-4", "59408-5", "2708-6", "29463-7", "72514-3", "44261-6",
            "44249-1"} <= codes  # fmt: skip
    bp = next(obs for obs in observations if "85354-9" in codes_of(obs))
    assert [c["code"]["coding"][0]["code"] for c in bp["component"]] == ["8480-6", "8462-4"]
    assert bp["component"][0]["valueQuantity"] == {
        "value": 120, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"
    }  # fmt: skip
    assert bp["category"][0]["coding"][0]["code"] == "vital-signs"
    assert bp["meta"]["profile"][0].endswith("us-core-blood-pressure")
    weight = next(obs for obs in observations if "29463-7" in codes_of(obs))
    assert weight["valueQuantity"]["value"] == 70.4 and weight["valueQuantity"]["code"] == "kg"
    total = next(obs for obs in observations if "44261-6" in codes_of(obs))
    assert total["valueQuantity"]["value"] == 9
    panel = next(obs for obs in observations if "44249-1" in codes_of(obs))
    assert panel["hasMember"] == [{"reference": f"Observation/{total['id']}"}]

    questionnaires = {qr["questionnaire"]: qr for qr in found["QuestionnaireResponse"]}
    phq9 = questionnaires["http://loinc.org/q/44249-1"]
    assert [i["answer"][0]["valueInteger"] for i in phq9["item"][:9]] == [1] * 9
    assert len(questionnaires) == 2

    (given,) = found["MedicationAdministration"]
    assert given["status"] == "completed"
    assert given["medicationCodeableConcept"]["coding"][0] == {
        "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "6130",
        "display": "ketamine",
    }  # fmt: skip
    assert given["dosage"]["dose"] == {
        "value": 34.9, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"
    }  # fmt: skip
    assert given["performer"][0]["actor"]["display"] == str(nurse)
    assert given["effectivePeriod"]["start"] < given["effectivePeriod"]["end"]
    (encounter,) = found["Encounter"]
    assert encounter["status"] == "finished" and "end" in encounter["period"]
    assert given["context"] == {"reference": f"Encounter/{encounter['id']}"}
    (visit,) = found["Appointment"]
    assert encounter["appointment"] == [{"reference": f"Appointment/{visit['id']}"}]


def test_every_resource_reads_by_its_own_url_as_in_the_bundle(login, nurse, full_patient):
    client = login(nurse)
    bundle = fhir_get(client, f"Patient/{full_patient.pk}/$everything")
    for entry in bundle["entry"]:
        path = urlparse(entry["fullUrl"]).path
        assert fhir_get(client, path) == entry["resource"], path


# --- Searches -----------------------------------------------------------------------------------


def test_searches_by_patient_date_category_and_code(login, nurse, full_patient):
    client = login(nurse)
    pk = full_patient.pk
    vitals = fhir_get(client, f"Observation?patient=Patient/{pk}&category=vital-signs")
    assert {r["category"][0]["coding"][0]["code"] for r in by_type(vitals)["Observation"]} == {
        "vital-signs"
    }
    heart = fhir_get(client, f"Observation?patient={pk}&code=http://loinc.org|8867-4")
    assert heart["total"] == 3 and all(
        codes_of(r) == {"8867-4"} for r in by_type(heart)["Observation"]
    )
    surveys = fhir_get(client, f"Observation?patient={pk}&category=survey&code=44261-6,72514-3")
    assert {tuple(codes_of(r)) for r in by_type(surveys)["Observation"]} == {
        ("44261-6",),
        ("72514-3",),
    }
    future = fhir_get(client, f"Observation?patient={pk}&date=ge2100-01-01")
    assert future["total"] == 0 and "entry" not in future
    today = full_patient.weights.first().measured_at.date().isoformat()
    around = fhir_get(client, f"Observation?patient={pk}&date=ge2000-01-01&date=le{today}")
    assert around["total"] > 5
    for kind, total in (("Appointment", 1), ("Encounter", 1), ("MedicationAdministration", 1),
                        ("QuestionnaireResponse", 2)):  # fmt: skip
        found = fhir_get(client, f"{kind}?patient={pk}")
        assert found["total"] == total, kind
        assert set(by_type(found)) == {kind}
    assert fhir_get(client, f"Appointment?patient={pk}&date=lt2000-01-01")["total"] == 0
    assert fhir_get(client, f"Encounter?patient={pk}&date=ge2000-01")["total"] == 1


def test_searches_page_with_count_and_links(login, nurse, full_patient):
    client = login(nurse)
    first = fhir_get(client, f"Observation?patient={full_patient.pk}&_count=2")
    assert len(first["entry"]) == 2 and first["total"] > 4
    links = {link["relation"]: link["url"] for link in first["link"]}
    assert "previous" not in links and "_offset=2" in links["next"]
    second = fhir_get(client, urlparse(links["next"]).path + "?" + urlparse(links["next"]).query)
    assert {link["relation"] for link in second["link"]} >= {"self", "previous"}
    ids = {e["resource"]["id"] for e in first["entry"]} | {
        e["resource"]["id"] for e in second["entry"]
    }
    assert len(ids) == 4


def test_patient_search_by_mrn_name_and_birthdate(login, nurse, full_patient, site):
    client = login(nurse)
    PatientFactory(home_location=site, legal_last_name="Zzyzx")
    by_mrn = fhir_get(client, f"Patient?identifier={full_patient.mrn}")
    assert [e["resource"]["id"] for e in by_mrn["entry"]] == [str(full_patient.pk)]
    name = full_patient.legal_last_name[:3]
    by_name = fhir_get(client, f"Patient?family={name}&birthdate={full_patient.date_of_birth}")
    assert str(full_patient.pk) in [e["resource"]["id"] for e in by_name["entry"]]
    assert fhir_get(client, "Patient?name=zzy")["total"] == 1
    assert fhir_get(client, "Patient?identifier=urn:other|" + full_patient.mrn)["total"] == 0


# --- Errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("Observation?patient={pk}&colour=blue", 400),
        ("Observation", 400),
        ("Observation?patient={pk}&date=yesterday", 400),
        ("Observation?patient={pk}&date=ap2026-01-01", 400),
        ("Appointment?patient={pk}&status=dancing", 400),
        ("Observation?patient=999999999", 404),
        ("Patient/999999999", 404),
        ("Observation/weight-999999999", 404),
        ("Observation/vitals-999999999-bp", 404),
        ("Observation/no-such-thing", 404),
    ],
)
def test_errors_are_operation_outcomes(login, nurse, site, path, status):
    patient = PatientFactory(home_location=site)
    body = fhir_get(login(nurse), path.format(pk=patient.pk), status=status)
    assert body["resourceType"] == "OperationOutcome" and body["issue"][0]["diagnostics"]


def test_anonymous_callers_get_401_and_the_front_desk_403(client, login, front_desk, site):
    patient = PatientFactory(home_location=site)
    body = fhir_get(client, f"Patient/{patient.pk}", status=401, HTTP_AUTHORIZATION="Token nope")
    assert body["issue"][0]["code"] == "login"
    fhir_get(client, f"Patient/{patient.pk}", status=401)
    assert fhir_get(login(front_desk), f"Patient/{patient.pk}", status=403)["issue"]


def test_another_sites_patient_is_404(login, nurse, other_site, site):
    theirs = PatientFactory(home_location=other_site)
    client = login(nurse)
    fhir_get(client, f"Patient/{theirs.pk}", status=404)
    fhir_get(client, f"Patient/{theirs.pk}/$everything", status=404)
    fhir_get(client, f"Observation?patient={theirs.pk}", status=404)
    assert fhir_get(client, f"Patient?identifier={theirs.mrn}")["total"] == 0


# --- API keys ----------------------------------------------------------------------------------


def _key(scopes, sites, admin) -> str:
    _, secret = api_key_create(name=f"FHIR {scopes}", scopes=scopes, sites=sites,
                               created_by=admin, requests_per_minute=1000)  # fmt: skip
    return f"Api-Key {secret}"


def test_an_api_key_needs_the_fhir_scope_and_sees_its_sites_only(
    client, clinic_admin, full_patient, site, other_site
):
    path = f"Patient/{full_patient.pk}/$everything"
    reader = _key(["fhir:read"], [site], clinic_admin)
    assert fhir_get(client, path, HTTP_AUTHORIZATION=reader)["total"] > 10
    assert fhir_get(client, "metadata", HTTP_AUTHORIZATION=reader)["fhirVersion"] == "4.0.1"
    no_scope = _key(["patients:read", "charting:read"], [site], clinic_admin)
    refused = fhir_get(client, path, status=403, HTTP_AUTHORIZATION=no_scope)
    assert "fhir" in refused["issue"][0]["diagnostics"]
    elsewhere = _key(["fhir:read"], [other_site], clinic_admin)
    fhir_get(client, path, status=404, HTTP_AUTHORIZATION=elsewhere)
    fhir_get(client, f"Observation?patient={full_patient.pk}", status=404,
             HTTP_AUTHORIZATION=elsewhere)  # fmt: skip


# --- Access log ---------------------------------------------------------------------------------


def test_reads_and_searches_are_in_the_access_log(login, nurse, full_patient):
    client = login(nurse)
    pk = full_patient.pk
    before = AccessLog.objects.filter(patient=full_patient).count()
    fhir_get(client, f"Patient/{pk}")
    fhir_get(client, f"Observation?patient=Patient/{pk}")
    fhir_get(client, f"Patient/{pk}/$everything")
    fhir_get(client, f"Patient?identifier={full_patient.mrn}")
    rows = list(AccessLog.objects.filter(patient=full_patient).order_by("pk")[before:])
    assert [(row.view_name, row.kind, row.user_id) for row in rows] == [
        ("fhir-patient-read", "api", nurse.pk),
        ("fhir-observation-search", "api", nurse.pk),
        ("fhir-patient-everything", "export", nurse.pk),
        ("fhir-patient-search", "api", nurse.pk),
    ]


# --- Queries ------------------------------------------------------------------------------


def _more_infusions(patient, site, nurse, protocol, count: int):
    for _ in range(count):
        advance(24 * 60)  # a visit a day: a patient is checked in on the visit's day
        visit = make_appointment(site=site, nurse=nurse, protocol=protocol, patient=patient)
        record = InfusionRecordFactory(appointment=visit, checked_in_by=nurse)
        vitals_record(record=record, taken_by=nurse, **GOOD)
        measure_record(patient=patient, kind="phq9", answers=PHQ9, recorded_by=nurse)
        weigh(visit, nurse, "70.1")


def test_everything_costs_the_same_queries_for_one_or_many_infusions(
    login, nurse, full_patient, site, protocol, django_assert_max_num_queries
):
    client = login(nurse)
    path = f"{FHIR}Patient/{full_patient.pk}/$everything"
    with django_assert_max_num_queries(30) as one:
        client.get(path)
    _more_infusions(full_patient, site, nurse, protocol, 3)
    client = login(nurse)  # the days moved on: a new session
    with django_assert_max_num_queries(len(one.captured_queries)):
        many = client.get(path)
    assert many.status_code == 200
    assert len(by_type(many.json())["Encounter"]) == 4


def test_searches_cost_the_same_queries_for_one_or_many_rows(
    login, nurse, full_patient, site, protocol, django_assert_max_num_queries
):
    client = login(nurse)
    paths = [f"{FHIR}{kind}?patient={full_patient.pk}" for kind in PARAMETERS if kind != "Patient"]
    counts = {}
    for path in paths:
        with django_assert_max_num_queries(30) as one:
            client.get(path)
        counts[path] = len(one.captured_queries)
    _more_infusions(full_patient, site, nurse, protocol, 3)
    client = login(nurse)
    for path in paths:
        with django_assert_max_num_queries(counts[path]):
            assert client.get(path).status_code == 200


# --- CapabilityStatement -------------------------------------------------------------------


def test_the_capability_statement_lists_what_is_served(login, front_desk):
    statement = fhir_get(login(front_desk), reverse("fhir-metadata"))
    assert statement["fhirVersion"] == "4.0.1"
    served = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert set(served) == set(PARAMETERS)
    for kind, params in PARAMETERS.items():
        assert [p["name"] for p in served[kind]["searchParam"]] == list(params)
    assert served["Patient"]["operation"][0]["name"] == "everything"


def test_an_infusion_not_started_has_an_encounter_and_no_administration(login, nurse, record):
    client = login(nurse)
    patient = record.appointment.patient
    found = by_type(fhir_get(client, f"Patient/{patient.pk}/$everything"))
    assert found["Encounter"][0]["status"] == "arrived"
    assert "MedicationAdministration" not in found
    fhir_get(client, f"MedicationAdministration/{record.pk}", status=404)
    assert fhir_get(client, f"MedicationAdministration?patient={patient.pk}")["total"] == 0
