"""The code systems, codes, units and US Core profiles the FHIR resources use
(DOMAIN.md, "Codes for interoperability")."""

from django.conf import settings

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"
CPT = "http://www.ama-assn.org/go/cpt"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
LANGUAGE = "urn:ietf:bcp:47"


def mrn_system() -> str:
    """The identifier system of the clinic's medical record numbers (FHIR_MRN_SYSTEM)."""
    return settings.FHIR_MRN_SYSTEM


US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
PROFILE = {
    "Patient": US_CORE + "us-core-patient",
    "Encounter": US_CORE + "us-core-encounter",
    "QuestionnaireResponse": US_CORE + "us-core-questionnaireresponse",
    "blood-pressure": US_CORE + "us-core-blood-pressure",
    "heart-rate": US_CORE + "us-core-heart-rate",
    "pulse-oximetry": US_CORE + "us-core-pulse-oximetry",
    "respiratory-rate": US_CORE + "us-core-respiratory-rate",
    "body-temperature": US_CORE + "us-core-body-temperature",
    "body-weight": US_CORE + "us-core-body-weight",
    "screening-assessment": US_CORE + "us-core-observation-screening-assessment",
}

VITAL_SIGNS = "vital-signs"
SURVEY = "survey"

# LOINC codes by the Observation they name.
BP_PANEL = ("85354-9", "Blood pressure panel with all children optional")
SYSTOLIC = ("8480-6", "Systolic blood pressure")
DIASTOLIC = ("8462-4", "Diastolic blood pressure")
HEART_RATE = ("8867-4", "Heart rate")
SPO2 = ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry")
SPO2_BASE = ("2708-6", "Oxygen saturation in Arterial blood")
RESPIRATORY_RATE = ("9279-1", "Respiratory rate")
BODY_TEMPERATURE = ("8310-5", "Body temperature")
BODY_WEIGHT = ("29463-7", "Body weight")
PAIN = ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
PHQ9_PANEL = ("44249-1", "PHQ-9 quick depression assessment panel")
PHQ9_TOTAL = ("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]")

KETAMINE = ("6130", "ketamine")
FIBROMYALGIA = ("203082005", "Fibromyalgia")
INTRAVENOUS = ("47625008", "Intravenous route")
INFUSION_VISIT = ("96365", "Intravenous infusion, for therapy; initial, up to 1 hour")

# The questionnaires a QuestionnaireResponse answers (canonical URLs).
QUESTIONNAIRE = {
    "phq9": "http://loinc.org/q/44249-1",
    "fiqr": "urn:ketamine-clinic:questionnaire:fiqr",
}


def coding(system: str, code_and_display: tuple[str, str]) -> dict:
    code, display = code_and_display
    return {"system": system, "code": code, "display": display}


def concept(system: str, *codes: tuple[str, str], text: str | None = None) -> dict:
    found = {"coding": [coding(system, code) for code in codes]}
    if text:
        found["text"] = text
    return found


def category(code: str) -> list[dict]:
    display = {VITAL_SIGNS: "Vital Signs", SURVEY: "Survey"}[code]
    return [{"coding": [{"system": OBSERVATION_CATEGORY, "code": code, "display": display}]}]


def quantity(value, unit: str, code: str | None = None) -> dict:
    """A UCUM quantity; Decimals become JSON numbers (ints stay ints)."""
    number = value if isinstance(value, int) else float(value)
    return {"value": number, "unit": unit, "system": UCUM, "code": code or unit}
