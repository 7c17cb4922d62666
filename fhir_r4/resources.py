"""Rows of the clinic as FHIR R4 resources (plain dicts, rendered as application/fhir+json).

Plain dicts rather than fhir.resources models: production needs no pydantic (the models are
pydantic 1), and the tests validate every resource built here with the R4 models. Each
function takes rows loaded by ``selectors`` (related rows already there) and runs no query.

Ids: a resource backed by one row has the row's id (Patient, Appointment, QuestionnaireResponse;
Encounter and MedicationAdministration: the infusion record's). Observations come from several
tables, so their id names the source: ``weight-<id>``, ``vitals-<id>-<part>`` (one reading
gives blood pressure, heart rate, SpO2, and respiratory rate and temperature when taken),
``measure-<id>`` (pain NRS or PHQ-9 total) and ``phq9-panel-<id>``.
"""

from django.utils import timezone

from . import codes
from .codes import LOINC, PROFILE, SNOMED, category, concept, quantity

GENDER = {"female": "female", "male": "male", "intersex": "other", "unknown": "unknown"}
LANGUAGES = {"english": ("en", "English"), "spanish": ("es", "Spanish")}


def instant(moment) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def patient_ref(patient_id: int) -> dict:
    return {"reference": f"Patient/{patient_id}"}


def staff_ref(user) -> dict | None:
    """A member of staff by name: the server has no Practitioner resources (yet)."""
    return {"display": str(user)} if user is not None else None


def _status(row, standing: str = "final") -> str:
    """A row struck out by a correction is entered-in-error (searches leave it out); a
    correction is amended."""
    if getattr(row, "struck", False):
        return "entered-in-error"
    return "amended" if getattr(row, "corrects_id", None) else standing


def _meta(profile: str | None) -> dict:
    return {"meta": {"profile": [profile]}} if profile else {}


# --- Patient ---------------------------------------------------------------------------------


def patient(row) -> dict:
    names = [{"use": "official", "family": row.legal_last_name, "given": [row.legal_first_name]}]
    if row.preferred_name:
        names.append({"use": "usual", "given": [row.preferred_name]})
    telecom = []
    if row.phone:
        telecom.append({"system": "phone", "value": str(row.phone), "use": "mobile"})
    if row.email:
        telecom.append({"system": "email", "value": row.email})
    resource = {
        "resourceType": "Patient",
        "id": str(row.pk),
        **_meta(PROFILE["Patient"]),
        "identifier": [
            {
                "use": "usual",
                "type": {
                    "coding": [{"system": codes.IDENTIFIER_TYPE, "code": "MR"}],
                    "text": "Medical record number",
                },
                "system": codes.mrn_system(),
                "value": row.mrn,
            }
        ],
        "active": row.is_active,
        "name": names,
        "gender": GENDER.get(row.sex, "unknown"),
        "birthDate": row.date_of_birth.isoformat(),
    }
    if telecom:
        resource["telecom"] = telecom
    lines = [line for line in (row.address_line1, row.address_line2) if line]
    if lines or row.city or row.postal_code:
        address = {"use": "home", "country": "US"}
        for key, value in (("line", lines), ("city", row.city), ("state", row.state),
                           ("postalCode", row.postal_code)):  # fmt: skip
            if value:
                address[key] = value
        resource["address"] = [address]
    language = LANGUAGES.get((row.preferred_language or "").strip().lower())
    if language:
        code, display = language
        resource["communication"] = [
            {
                "language": {
                    "coding": [{"system": codes.LANGUAGE, "code": code, "display": display}]
                }
            }  # fmt: skip
        ]
    elif row.preferred_language:
        resource["communication"] = [{"language": {"text": row.preferred_language}}]
    return resource


# --- Observations -----------------------------------------------------------------------------


def _observation(*, id, profile, kind, code, patient_id, effective, status="final", **rest):
    return {
        "resourceType": "Observation",
        "id": id,
        **_meta(profile),
        "status": status,
        "category": category(kind),
        "code": code,
        "subject": patient_ref(patient_id),
        "effectiveDateTime": instant(effective),
        **rest,
    }


def weight(row) -> dict:
    return _observation(
        id=f"weight-{row.pk}",
        profile=PROFILE["body-weight"],
        kind=codes.VITAL_SIGNS,
        code=concept(LOINC, codes.BODY_WEIGHT, text="Body weight"),
        patient_id=row.patient_id,
        effective=row.measured_at,
        status=_status(row),
        valueQuantity=quantity(row.weight_kg, "kg"),
        performer=[staff_ref(row.measured_by)],
    )


VITALS_PARTS = ("bp", "hr", "spo2", "rr", "temp")


def vitals(reading, patient_id: int) -> list[dict]:
    """One reading's observations: blood pressure, heart rate, SpO2, and respiratory rate and
    temperature when they were taken."""
    common = {
        "kind": codes.VITAL_SIGNS,
        "patient_id": patient_id,
        "effective": reading.taken_at,
        "encounter": {"reference": f"Encounter/{reading.record_id}"},
        "performer": [staff_ref(reading.taken_by)],
        "status": _status(reading),
    }

    def part(name: str) -> str:
        return f"vitals-{reading.pk}-{name}"

    found = [
        _observation(
            id=part("bp"),
            profile=PROFILE["blood-pressure"],
            code=concept(LOINC, codes.BP_PANEL, text="Blood pressure"),
            component=[
                {
                    "code": concept(LOINC, codes.SYSTOLIC),
                    "valueQuantity": quantity(reading.systolic_mmhg, "mmHg", "mm[Hg]"),
                },
                {
                    "code": concept(LOINC, codes.DIASTOLIC),
                    "valueQuantity": quantity(reading.diastolic_mmhg, "mmHg", "mm[Hg]"),
                },
            ],  # fmt: skip
            **common,
        ),
        _observation(
            id=part("hr"),
            profile=PROFILE["heart-rate"],
            code=concept(LOINC, codes.HEART_RATE, text="Heart rate"),
            valueQuantity=quantity(reading.pulse_bpm, "beats/minute", "/min"),
            **common,
        ),
        _observation(
            id=part("spo2"),
            profile=PROFILE["pulse-oximetry"],
            code=concept(LOINC, codes.SPO2_BASE, codes.SPO2, text="SpO2"),
            valueQuantity=quantity(reading.spo2_percent, "%"),
            **common,
        ),
    ]
    if reading.respiratory_rate_per_min is not None:
        found.append(
            _observation(
                id=part("rr"),
                profile=PROFILE["respiratory-rate"],
                code=concept(LOINC, codes.RESPIRATORY_RATE, text="Respiratory rate"),
                valueQuantity=quantity(reading.respiratory_rate_per_min, "breaths/minute", "/min"),
                **common,
            )
        )
    if reading.temperature_c is not None:
        found.append(
            _observation(
                id=part("temp"),
                profile=PROFILE["body-temperature"],
                code=concept(LOINC, codes.BODY_TEMPERATURE, text="Body temperature"),
                valueQuantity=quantity(reading.temperature_c, "C", "Cel"),
                **common,
            )
        )
    return found


def _score(value) -> int | float:
    return int(value) if value == int(value) else float(value)


def _measure_common(row) -> dict:
    rest = {"status": _status(row)}
    if row.completed_by_patient:
        rest["performer"] = [patient_ref(row.patient_id)]
    elif row.recorded_by is not None:
        rest["performer"] = [staff_ref(row.recorded_by)]
    return rest


def measure(row) -> list[dict]:
    """A pain NRS: one Observation. A PHQ-9: its total and the panel that holds it, both
    derived from the QuestionnaireResponse of the answers. Other measures: none."""
    given = row.taken_at or row.recorded_at
    if row.kind == "pain_nrs" and row.score is not None:
        return [
            _observation(
                id=f"measure-{row.pk}",
                profile=PROFILE["screening-assessment"],
                kind=codes.SURVEY,
                code=concept(LOINC, codes.PAIN, text="Pain NRS (0-10)"),
                patient_id=row.patient_id,
                effective=given,
                valueQuantity=quantity(_score(row.score), "{score}"),
                **_measure_common(row),
            )
        ]
    if row.kind != "phq9" or row.score is None:
        return []
    answers = {"derivedFrom": [{"reference": f"QuestionnaireResponse/{row.pk}"}]}
    total = _observation(
        id=f"measure-{row.pk}",
        profile=PROFILE["screening-assessment"],
        kind=codes.SURVEY,
        code=concept(LOINC, codes.PHQ9_TOTAL, text="PHQ-9 total"),
        patient_id=row.patient_id,
        effective=given,
        valueQuantity=quantity(_score(row.score), "{score}"),
        **answers,
        **_measure_common(row),
    )
    if row.interpretation:
        total["interpretation"] = [{"text": row.interpretation}]
    panel = _observation(
        id=f"phq9-panel-{row.pk}",
        profile=PROFILE["screening-assessment"],
        kind=codes.SURVEY,
        code=concept(LOINC, codes.PHQ9_PANEL, text="PHQ-9"),
        patient_id=row.patient_id,
        effective=given,
        hasMember=[{"reference": f"Observation/measure-{row.pk}"}],
        **answers,
        **_measure_common(row),
    )
    return [panel, total]


# --- QuestionnaireResponse ----------------------------------------------------------------------

QUESTIONNAIRE_ITEMS = {"phq9": 9, "fiqr": 21}


def questionnaire_response(row) -> dict:
    """The answers of a PHQ-9 or FIQR as given, item by item (``item_1``...), and the total."""
    items = []
    for number in range(1, QUESTIONNAIRE_ITEMS[row.kind] + 1):
        link = f"item_{number}"
        answer = (row.answers or {}).get(link)
        item = {"linkId": link}
        if isinstance(answer, int) and not isinstance(answer, bool):
            item["answer"] = [{"valueInteger": answer}]
        items.append(item)
    if row.score is not None:
        value = _score(row.score)
        key = "valueInteger" if isinstance(value, int) else "valueDecimal"
        items.append({"linkId": "total", "text": "Total score", "answer": [{key: value}]})
    resource = {
        "resourceType": "QuestionnaireResponse",
        "id": str(row.pk),
        **_meta(PROFILE["QuestionnaireResponse"]),
        "questionnaire": codes.QUESTIONNAIRE[row.kind],
        "status": _status(row, "completed"),
        "subject": patient_ref(row.patient_id),
        "authored": instant(row.taken_at or row.recorded_at),
        "item": items,
    }
    if row.completed_by_patient:
        resource["author"] = resource["source"] = patient_ref(row.patient_id)
    elif row.recorded_by is not None:
        resource["author"] = staff_ref(row.recorded_by)
    return resource


# --- Infusions: Encounter and MedicationAdministration --------------------------------------------

ENCOUNTER_STATUS = {
    "checked_in": "arrived",
    "pre_assessment": "arrived",
    "ready": "arrived",
    "running": "in-progress",
    "paused": "in-progress",
    "stopped": "in-progress",
    "completed": "in-progress",
    "recovery": "in-progress",
    "discharged": "finished",
    "check_in_undone": "entered-in-error",
    # Arrived and assessed, sent home without the infusion (no MedicationAdministration).
    "not_given": "finished",
}


def _first_move(record, status: str):
    """When the record first moved to ``status`` (its status events are prefetched)."""
    return next((event.at for event in record.statuses.all() if event.to_status == status), None)


def _nurse(record):
    return record.appointment.nurse or record.checked_in_by


def _reason() -> list[dict]:
    return [concept(SNOMED, codes.FIBROMYALGIA)]


def encounter(record) -> dict:
    appointment = record.appointment
    period = {"start": instant(record.checked_in_at)}
    closed = _first_move(record, "discharged") or _first_move(record, "not_given")
    if closed is not None:
        period["end"] = instant(closed)
    return {
        "resourceType": "Encounter",
        "id": str(record.pk),
        **_meta(PROFILE["Encounter"]),
        "identifier": [{"system": "urn:ketamine-clinic:infusion-record", "value": str(record.pk)}],
        "status": ENCOUNTER_STATUS.get(record.status, "unknown"),
        "class": {"system": codes.ACT_CODE, "code": "AMB", "display": "ambulatory"},
        "type": [concept(codes.CPT, codes.INFUSION_VISIT, text="IV ketamine infusion")],
        "subject": patient_ref(appointment.patient_id),
        "participant": [{"individual": staff_ref(_nurse(record))}],
        "appointment": [{"reference": f"Appointment/{appointment.pk}"}],
        "period": period,
        "reasonCode": _reason(),
        "location": [{"location": {"display": appointment.location.name}}],
    }


def administered(record) -> bool:
    """A dose was given: the infusion started (a MedicationAdministration exists)."""
    return record.started_at is not None


def medication_administration(record) -> dict:
    stopped = _first_move(record, "stopped") is not None
    if record.ended_at is None:
        status = "in-progress"
    else:
        status = "stopped" if stopped else "completed"
    period = {"start": instant(record.started_at)}
    if record.ended_at:
        period["end"] = instant(record.ended_at)
    dosage = {"route": concept(SNOMED, codes.INTRAVENOUS)}
    if record.administered_mg is not None:
        dosage["dose"] = quantity(record.administered_mg, "mg")
        dosage["text"] = f"{record.administered_mg} mg ketamine IV"
    resource = {
        "resourceType": "MedicationAdministration",
        "id": str(record.pk),
        "status": status,
        "medicationCodeableConcept": concept(codes.RXNORM, codes.KETAMINE, text="Ketamine"),
        "subject": patient_ref(record.appointment.patient_id),
        "context": {"reference": f"Encounter/{record.pk}"},
        "effectivePeriod": period,
        "performer": [{"actor": staff_ref(_nurse(record))}],
        "reasonCode": _reason(),
        "dosage": dosage,
    }
    if record.order_id:
        resource["request"] = {"display": f"Dose order {record.order_id}"}
    return resource


# --- Appointment ------------------------------------------------------------------------------

APPOINTMENT_STATUS = {
    "scheduled": "booked",
    "confirmed": "booked",
    "checked_in": "checked-in",
    "in_chair": "arrived",
    "completed": "fulfilled",
    "cancelled": "cancelled",
    "no_show": "noshow",
}
# Appointment statuses of FHIR that no visit of the clinic has.
UNUSED_STATUSES = {"proposed", "pending", "waitlist", "entered-in-error"}


def appointment(row) -> dict:
    course = row.course
    participants = [{"actor": patient_ref(row.patient_id), "status": "accepted"}]
    if row.nurse is not None:
        participants.append({"actor": staff_ref(row.nurse), "status": "accepted"})
    participants.append({"actor": {"display": row.location.name}, "status": "accepted"})
    description = "Ketamine infusion"
    if course is not None and row.sequence:
        description += f" {row.sequence} of {course.planned_infusions}"
    return {
        "resourceType": "Appointment",
        "id": str(row.pk),
        "status": APPOINTMENT_STATUS.get(row.status, "booked"),
        "serviceType": [{"text": "IV ketamine infusion"}],
        "reasonCode": _reason(),
        "description": description,
        "start": instant(row.starts_at),
        "end": instant(row.ends_at),
        "created": instant(row.created_at),
        "participant": participants,
    }
