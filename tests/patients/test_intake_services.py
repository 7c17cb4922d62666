"""Service rules of patient intake: clearance gating, duplicates, weights, the legal record."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, InternalError, connection, transaction

from patients import selectors, services
from patients.models import (
    Clearance,
    EscortContact,
    MeasureKind,
    Patient,
    WeightMeasurement,
)
from tests.factories import PatientFactory

NEGATIVE_SCREEN = {
    "cardiovascular": "no", "pregnancy": "no", "psychosis": "no", "hepatic_disease": "no",
    "intracranial_pressure": "no", "intraocular_pressure": "no", "substance_misuse": "no",
}  # fmt: skip


def register(front_desk, site, **overrides):
    fields = {
        "legal_first_name": "Susan",
        "legal_last_name": "Alvarez",
        "date_of_birth": datetime.date(1971, 3, 14),
        "phone": "+19495550142",
        "home_location": site,
    }
    fields.update(overrides)
    return services.patient_register(registered_by=front_desk, **fields)


def escort(patient, user):
    return services.escort_add(
        patient=patient, name="Pat Alvarez", relationship="Spouse", phone="+19495550199",
        added_by=user,
    )  # fmt: skip


# --- Registration --------------------------------------------------------------------------


def test_medical_record_numbers_are_generated_and_never_reused(front_desk, site):
    first = register(front_desk, site)
    with pytest.raises(ValidationError), transaction.atomic():
        register(front_desk, site, legal_first_name="", phone="+19495550000")
    second = register(front_desk, site, legal_first_name="Ana", phone="+19495550001")
    assert first.mrn.startswith("KC") and second.mrn > first.mrn
    assert int(second.mrn[2:]) - int(first.mrn[2:]) >= 1


def test_same_name_and_birth_date_is_a_likely_duplicate(front_desk, site):
    register(front_desk, site)
    with pytest.raises(ValidationError) as refused:
        register(front_desk, site, legal_first_name="SUSAN", phone="+19495550000")
    assert "already registered" in str(refused.value)
    assert Patient.objects.count() == 1


def test_same_phone_is_a_likely_duplicate_unless_confirmed(front_desk, site):
    register(front_desk, site)
    with pytest.raises(ValidationError):
        register(front_desk, site, legal_first_name="Tom", legal_last_name="Alvarez")
    register(
        front_desk, site, legal_first_name="Tom", legal_last_name="Alvarez", allow_duplicate=True
    )
    assert Patient.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("date_of_birth", datetime.date.today() + datetime.timedelta(days=1)),
        ("phone", "+1555"),
        ("legal_last_name", ""),
    ],
)
def test_bad_registration_input_names_the_field_and_saves_nothing(front_desk, site, field, value):
    with pytest.raises(ValidationError) as refused:
        register(front_desk, site, **{field: value})
    assert field in refused.value.message_dict
    assert Patient.objects.count() == 0


def test_insurance_needs_payer_and_member_id(front_desk, site):
    with pytest.raises(ValidationError) as refused:
        register(front_desk, site, payment="insurance", insurance_payer="Aetna")
    assert "insurance_member_id" in refused.value.message_dict


def test_deactivation_needs_a_reason_and_keeps_the_record(front_desk, site):
    patient = register(front_desk, site)
    with pytest.raises(ValidationError):
        services.patient_deactivate(patient=patient, deactivated_by=front_desk, reason=" ")
    services.patient_deactivate(patient=patient, deactivated_by=front_desk, reason="Moved away")
    patient.refresh_from_db()
    assert not patient.is_active and patient.deactivation_reason == "Moved away"


def test_the_first_escort_is_primary_and_a_new_primary_replaces_it(front_desk, site):
    patient = register(front_desk, site)
    first = escort(patient, front_desk)
    second = services.escort_add(
        patient=patient, name="Jo", relationship="Sister", phone="+19495550111",
        is_primary=True, added_by=front_desk,
    )  # fmt: skip
    first.refresh_from_db()
    assert second.is_primary and not first.is_primary
    assert EscortContact.objects.filter(patient=patient, is_primary=True).count() == 1


# --- Screening and clearance gate booking ------------------------------------------------------


def test_booking_is_refused_until_screened_and_escorted(front_desk, nurse, site):
    patient = register(front_desk, site)
    reasons = selectors.booking_blockers(patient)
    assert any("screening" in r for r in reasons) and any("escort" in r for r in reasons)
    services.screening_record(patient=patient, recorded_by=nurse, answers=NEGATIVE_SCREEN)
    escort(patient, front_desk)
    assert selectors.booking_blockers(patient) == []


def test_a_positive_screen_needs_a_physicians_clearance(front_desk, nurse, physician, site):
    patient = register(front_desk, site)
    escort(patient, front_desk)
    answers = {**NEGATIVE_SCREEN, "cardiovascular": "yes", "psychosis": "unknown"}
    screening = services.screening_record(patient=patient, recorded_by=nurse, answers=answers)
    assert selectors.booking_blockers(patient) == [
        "The screening raised a flag: a physician must clear the patient first."
    ]
    assert list(selectors.awaiting_clearance_for(physician)) == [screening]
    assert "Needs physician clearance" in selectors.patient_flags(patient).labels
    services.clearance_record(
        screening=screening, physician=physician, decision="cleared_with_conditions",
        note="BP controlled on amlodipine; recheck BP before each infusion.",
    )  # fmt: skip
    assert selectors.booking_blockers(patient) == []
    assert list(selectors.awaiting_clearance_for(physician)) == []
    assert "Needs physician clearance" not in selectors.patient_flags(patient).labels


def test_not_cleared_keeps_booking_refused(front_desk, nurse, physician, site):
    patient = register(front_desk, site)
    escort(patient, front_desk)
    screening = services.screening_record(
        patient=patient, recorded_by=nurse, answers={**NEGATIVE_SCREEN, "psychosis": "yes"}
    )
    services.clearance_record(
        screening=screening, physician=physician, decision="not_cleared", note="Active psychosis."
    )
    assert selectors.booking_blockers(patient) == [
        "A physician has not cleared the patient for ketamine infusions."
    ]


def test_only_a_physician_clears_and_only_with_a_note(front_desk, nurse, physician, site):
    patient = register(front_desk, site)
    screening = services.screening_record(
        patient=patient, recorded_by=nurse, answers={**NEGATIVE_SCREEN, "pregnancy": "unknown"}
    )
    with pytest.raises(PermissionDenied):
        services.clearance_record(
            screening=screening, physician=nurse, decision="cleared", note="x"
        )
    with pytest.raises(ValidationError):
        services.clearance_record(
            screening=screening, physician=physician, decision="cleared", note=""
        )
    assert not Clearance.objects.exists()


def test_front_desk_cannot_record_a_screening(front_desk, site):
    patient = register(front_desk, site)
    with pytest.raises(PermissionDenied):
        services.screening_record(patient=patient, recorded_by=front_desk, answers=NEGATIVE_SCREEN)


def test_not_applicable_pregnancy_is_only_for_male_patients(front_desk, nurse, site):
    patient = register(front_desk, site, sex="female")
    with pytest.raises(ValidationError) as refused:
        services.screening_record(
            patient=patient, recorded_by=nurse,
            answers={**NEGATIVE_SCREEN, "pregnancy": "not_applicable"},
        )  # fmt: skip
    assert "pregnancy" in refused.value.message_dict


# --- Weights -----------------------------------------------------------------------------------


def test_pounds_are_converted_once_and_both_values_kept(front_desk, nurse, site):
    patient = register(front_desk, site)
    weight = services.weight_record(
        patient=patient, value=Decimal("154"), unit="lb", measured_by=nurse
    )
    assert weight.weight_kg == Decimal("69.85")
    assert (weight.entered_value, weight.entered_unit) == (Decimal("154"), "lb")
    assert weight.weight_lb == Decimal("154.0")


@pytest.mark.parametrize("value", ["0", "-5", "900", "29.99", "300.01"])
def test_implausible_weights_are_refused(front_desk, nurse, site, value):
    patient = register(front_desk, site)
    with pytest.raises(ValidationError) as refused:
        services.weight_record(patient=patient, value=Decimal(value), unit="kg", measured_by=nurse)
    assert "value" in refused.value.message_dict
    assert not WeightMeasurement.objects.exists()


def test_a_change_over_ten_percent_needs_confirmation(front_desk, nurse, site):
    patient = register(front_desk, site)
    services.weight_record(patient=patient, value=Decimal("70"), unit="kg", measured_by=nurse)
    services.weight_record(patient=patient, value=Decimal("77"), unit="kg", measured_by=nurse)
    with pytest.raises(ValidationError) as refused:
        services.weight_record(patient=patient, value=Decimal("154"), unit="kg", measured_by=nurse)
    assert "+100.0%" in refused.value.message_dict["confirm_large_change"][0]
    weight = services.weight_record(
        patient=patient,
        value=Decimal("85"),
        unit="kg",
        measured_by=nurse,
        confirm_large_change=True,
    )
    assert weight.large_change_confirmed and weight.change_from_previous_percent == Decimal("10.4")


# --- Consent, measures, consultations ------------------------------------------------------------


def test_consent_needs_the_patients_typed_legal_name(front_desk, site):
    from patients.models import ConsentDocument

    patient = register(front_desk, site)
    document = ConsentDocument.objects.create(
        title="Consent", version="1", body="...", effective_from=datetime.date(2026, 1, 1)
    )
    with pytest.raises(ValidationError) as refused:
        services.consent_sign(
            patient=patient, document=document, typed_name="S A", witness=front_desk
        )
    assert "typed_name" in refused.value.message_dict
    signed = services.consent_sign(
        patient=patient, document=document, typed_name=" susan  alvarez ", witness=front_desk
    )
    assert signed.typed_name == "susan alvarez"
    assert "No consent" not in selectors.patient_flags(patient).labels
    with pytest.raises(ValidationError) as twice:  # the same version again: nothing to sign
        services.consent_sign(
            patient=patient, document=document, typed_name="Susan Alvarez", witness=front_desk
        )
    assert "already signed this version" in twice.value.message_dict["document"][0]
    assert patient.consents.count() == 1


def test_phq9_item_nine_flags_the_patient_until_a_physician_follows_up(
    front_desk, nurse, physician, site
):
    patient = register(front_desk, site)
    answers = {f"item_{n}": 0 for n in range(1, 10)} | {"item_9": 1}
    measure = services.measure_record(
        patient=patient, kind=MeasureKind.PHQ9, answers=answers, recorded_by=nurse
    )
    assert measure.score == 1 and measure.interpretation == "Minimal"
    assert "PHQ-9 item 9: same-day follow-up" in selectors.patient_flags(patient).labels
    assert list(selectors.open_phq9_follow_ups_for(physician)) == [measure]
    with pytest.raises(PermissionDenied):
        services.phq9_follow_up_record(measure=measure, physician=nurse, note="ok")
    services.phq9_follow_up_record(measure=measure, physician=physician, note="Safety plan made.")
    assert list(selectors.open_phq9_follow_ups_for(physician)) == []


def test_fiqr_worked_example_is_stored_with_its_domains(front_desk, nurse, site):
    patient = register(front_desk, site)
    # function 45 (9 x 5), overall 12 (6 + 6), symptoms 60 (10 x 6) -> 15 + 12 + 30 = 57
    answers = {f"item_{n}": 5 for n in range(1, 10)} | {"item_10": 6, "item_11": 6}
    answers |= {f"item_{n}": 6 for n in range(12, 22)}
    measure = services.measure_record(
        patient=patient, kind=MeasureKind.FIQR, answers=answers, recorded_by=nurse
    )
    assert measure.score == Decimal("57.0")


@pytest.mark.parametrize(
    ("kind", "answers", "field"),
    [
        (MeasureKind.FIQR, {f"item_{n}": 11 if n == 11 else 0 for n in range(1, 22)}, "item_11"),
        (MeasureKind.PHQ9, {f"item_{n}": 4 if n == 4 else 0 for n in range(1, 10)}, "item_4"),
        (MeasureKind.PAIN_NRS, {"score": 11}, "score"),
    ],
)
def test_out_of_range_answers_name_the_item_and_save_nothing(
    front_desk, nurse, site, kind, answers, field
):
    patient = register(front_desk, site)
    with pytest.raises(ValidationError) as refused:
        services.measure_record(patient=patient, kind=kind, answers=answers, recorded_by=nurse)
    assert field in refused.value.message_dict
    assert not patient.measures.exists()


def test_a_consultation_request_becomes_a_patient_in_one_step(front_desk, site):
    request = services.consultation_submit(
        name="Dana Reyes", phone="+17145550123", email="", preferred_location=site, message="Hi"
    )
    patient = services.consultation_convert(
        request=request, registered_by=front_desk, legal_first_name="Dana",
        legal_last_name="Reyes", date_of_birth=datetime.date(1980, 2, 2), phone=request.phone,
        home_location=site,
    )  # fmt: skip
    request.refresh_from_db()
    assert request.patient == patient
    assert request.stage == "registered"
    with pytest.raises(ValidationError):
        services.consultation_convert(
            request=request, registered_by=front_desk, legal_first_name="Dana",
            legal_last_name="Reyes", phone=request.phone, home_location=site,
        )  # fmt: skip


# --- The legal record ----------------------------------------------------------------------------


def test_the_database_refuses_to_update_or_delete_a_weight(front_desk, nurse, site):
    patient = register(front_desk, site)
    weight = services.weight_record(
        patient=patient, value=Decimal("70"), unit="kg", measured_by=nurse
    )
    for sql in (
        "UPDATE patients_weightmeasurement SET weight_kg = 7 WHERE id = %s",
        "DELETE FROM patients_weightmeasurement WHERE id = %s",
    ):
        with pytest.raises((InternalError, IntegrityError)), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [weight.pk])
    weight.refresh_from_db()
    assert weight.weight_kg == Decimal("70.00")


def test_the_database_refuses_to_delete_a_patient_with_clinical_history(front_desk, nurse, site):
    patient = PatientFactory(home_location=site)
    services.screening_record(patient=patient, recorded_by=nurse, answers=NEGATIVE_SCREEN)
    with pytest.raises(IntegrityError), transaction.atomic():
        Patient.objects.filter(pk=patient.pk).delete()


def test_a_pound_figure_typed_as_kg_is_refused_with_a_hint(front_desk, nurse, site):
    patient = register(front_desk, site)
    with pytest.raises(ValidationError) as refused:
        services.weight_record(patient=patient, value=Decimal("400"), unit="kg", measured_by=nurse)
    assert "Was it typed in pounds?" in refused.value.message_dict["value"][0]


def test_a_weight_cannot_be_measured_in_the_future(front_desk, nurse, site):
    import datetime as dt

    from django.utils import timezone

    patient = register(front_desk, site)
    with pytest.raises(ValidationError) as refused:
        services.weight_record(
            patient=patient, value=Decimal("70"), unit="kg", measured_by=nurse,
            measured_at=timezone.now() + dt.timedelta(days=1),
        )  # fmt: skip
    assert "measured_at" in refused.value.message_dict


def test_a_likely_duplicate_is_refused_with_a_code_callers_can_test(front_desk, site):
    register(front_desk, site)
    with pytest.raises(ValidationError) as refused:
        register(front_desk, site, phone="+19495550000")
    assert refused.value.error_dict["__all__"][0].code == "duplicate"


@pytest.mark.parametrize(
    ("wrong_role", "write"),
    [
        ("nurse", lambda p, u: services.patient_update(patient=p, changed_by=u, city="Irvine")),
        ("nurse", lambda p, u: services.patient_deactivate(
            patient=p, deactivated_by=u, reason="r"
        )),
        ("front_desk", lambda p, u: services.measure_record(
            patient=p, kind=MeasureKind.PAIN_NRS, answers={"score": 3}, recorded_by=u
        )),
        ("front_desk", lambda p, u: services.weight_record(
            patient=p, value=Decimal("70"), unit="kg", measured_by=u
        )),
    ],
    ids=["update", "deactivate", "measure", "weight"],
)  # fmt: skip
def test_services_enforce_roles_whichever_door_is_used(
    request, front_desk, site, wrong_role, write
):
    patient = register(front_desk, site)
    with pytest.raises(PermissionDenied):
        write(patient, request.getfixturevalue(wrong_role))
