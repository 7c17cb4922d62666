import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.access import require_role
from clinic.models import User
from clinic.roles import ALL_STAFF, CLINICAL, Role

from ..models import (
    Answer,
    Clearance,
    ClinicalIntake,
    CommunicationConsent,
    ConsentDocument,
    ConsentSignature,
    Patient,
    PriorTreatment,
    Screening,
    WeightMeasurement,
)
from ..units import kg_to_lb, lb_to_kg

CLINICAL_ROLES = CLINICAL


def _lock(patient: Patient) -> Patient:
    # One writer per patient at a time: weights compare with the previous one, etc.
    return Patient.objects.select_for_update().get(pk=patient.pk)


@transaction.atomic
def intake_record(
    *, patient: Patient, recorded_by: User, treatments: list[dict] = (), **fields
) -> ClinicalIntake:
    """A new clinical intake; the latest one is current, earlier ones stay as history."""
    require_role(recorded_by, *CLINICAL_ROLES, doing="record a clinical intake")
    _lock(patient)
    intake = ClinicalIntake(patient=patient, recorded_by=recorded_by, **fields)
    intake.full_clean()
    intake.save()
    kinds = [t["kind"] for t in treatments]
    if len(kinds) != len(set(kinds)):
        raise ValidationError({"treatments": "Each prior treatment is listed once."})
    for treatment in treatments:
        row = PriorTreatment(intake=intake, **treatment)
        row.full_clean(exclude=["intake"])
        row.save()
    return intake


@transaction.atomic
def screening_record(
    *, patient: Patient, recorded_by: User, answers: dict[str, str], notes: str = ""
) -> Screening:
    require_role(recorded_by, *CLINICAL_ROLES, doing="record a contraindication screening")
    patient = _lock(patient)
    errors = {}
    for question in Screening.QUESTIONS:
        answer = answers.get(question)
        allowed = {Answer.YES, Answer.NO, Answer.UNKNOWN}
        if question == "pregnancy" and patient.sex == Patient.Sex.MALE:
            allowed.add(Answer.NOT_APPLICABLE)
        if answer not in allowed:
            errors[question] = "Answer " + " / ".join(sorted(a.label.lower() for a in allowed))
    unknown = set(answers) - set(Screening.QUESTIONS)
    errors.update({name: "Not a screening question." for name in unknown})
    if errors:
        raise ValidationError(errors)
    screening = Screening(patient=patient, recorded_by=recorded_by, notes=notes, **answers)
    screening.full_clean()
    screening.save()
    return screening


@transaction.atomic
def clearance_record(
    *, screening: Screening, physician: User, decision: str, note: str, **vital_limits
) -> Clearance:
    """A physician's decision on a positive screen. Only the latest screening is decided.

    ``vital_limits`` are the optional patient alert limits (``Clearance.LIMITS``)."""
    unknown = set(vital_limits) - set(Clearance.LIMITS)
    if unknown:
        raise TypeError(f"Not a clearance limit: {', '.join(sorted(unknown))}.")
    require_role(physician, Role.PHYSICIAN, doing="clear a patient")
    _lock(screening.patient)
    latest = screening.patient.screenings.order_by("-recorded_at", "-pk").first()
    if latest.pk != screening.pk:
        raise ValidationError("A newer screening exists; decide on that one.")
    if not screening.needs_clearance:
        raise ValidationError("This screening raised no flag; there is nothing to clear.")
    if Clearance.objects.filter(screening=screening).exists():
        raise ValidationError("This screening has already been decided; record a new screening.")
    if not note.strip():
        raise ValidationError({"note": "Write the reasoning (and any conditions)."})
    limits = {name: value for name, value in vital_limits.items() if value not in (None, "")}
    clearance = Clearance(
        screening=screening, physician=physician, decision=decision, note=note, **limits
    )
    clearance.full_clean()
    clearance.save()
    return clearance


@transaction.atomic
def consent_sign(
    *, patient: Patient, document: ConsentDocument, typed_name: str, witness: User
) -> ConsentSignature:
    require_role(witness, *ALL_STAFF, doing="witness a consent")
    if not document.is_current:
        raise ValidationError({"document": "This version is withdrawn; use the current one."})
    Patient.objects.select_for_update().get(pk=patient.pk)  # one signing at a time
    if earlier := patient.consents.filter(document=document).order_by("signed_at").first():
        raise ValidationError({"document": (
            f"{patient.legal_name} already signed this version "
            f"({timezone.localtime(earlier.signed_at):%m/%d/%Y}): nothing more to sign."
        )})  # fmt: skip
    typed = " ".join(typed_name.split())
    if typed.casefold() != " ".join(patient.legal_name.split()).casefold():
        raise ValidationError(
            {"typed_name": f"The patient types their full legal name: {patient.legal_name}."}
        )
    signature = ConsentSignature(
        patient=patient, document=document, typed_name=typed, witness=witness
    )
    signature.full_clean()
    signature.save()
    return signature


@transaction.atomic
def communication_consent_record(
    *, patient: Patient, channel: str, granted: bool, method: str, recorded_by: User | None
) -> CommunicationConsent:
    if recorded_by is not None:  # None: the patient's own SMS reply (STOP)
        require_role(recorded_by, *ALL_STAFF, doing="record contact consent")
    if channel == "sms" and granted and not patient.phone:
        raise ValidationError({"granted": "Record a mobile phone number before SMS consent."})
    if channel == "email" and granted and not patient.email:
        raise ValidationError({"granted": "Record an email address before email consent."})
    consent = CommunicationConsent(
        patient=patient, channel=channel, granted=granted, method=method, recorded_by=recorded_by
    )
    consent.full_clean()
    consent.save()
    return consent


def _to_kg(value: Decimal, unit: str) -> Decimal:
    if not isinstance(value, Decimal):
        raise ValidationError({"value": "Enter the weight as a number."})
    if value <= 0:
        raise ValidationError({"value": "A weight is above zero."})
    if unit == WeightMeasurement.Unit.LB:
        return lb_to_kg(value)
    if unit == WeightMeasurement.Unit.KG:
        return value.quantize(Decimal("0.01"))
    raise ValidationError({"unit": "Choose kg or lb."})


def _unusual_first_weight(value: Decimal, unit: str, weight_kg: Decimal) -> str | None:
    """A first weight outside the usual adult range, said in both units (154 kg = 339.5 lb),
    with what the figure would be in the other unit: the classic slip is the unit left on kg."""
    low, high = settings.FIRST_WEIGHT_USUAL_KG
    if low <= weight_kg <= high:
        return None
    if unit == WeightMeasurement.Unit.KG:
        other = f"If the scale showed {value} lb, that is {lb_to_kg(value)} kg: choose lb."
    else:
        other = f"If the scale showed {value} kg, choose kg."
    return (
        f"{weight_kg} kg (= {kg_to_lb(weight_kg)} lb) is outside the usual {low}-{high} kg for "
        f"a first weight. {other} Check the unit on the scale, then confirm."
    )


def _checked_weight(
    patient: Patient,
    value,
    unit: str,
    measured_at,
    confirm_large_change: bool,
    instead_of=None,
    confirm_unusual_weight: bool = False,
) -> dict:
    """The limits every weight meets (a correction too): plausible, not in the future, and a
    change of more than 10% from the previous standing weight only with a confirmation.
    ``instead_of``: the weight being corrected (not its own "previous")."""
    weight_kg = _to_kg(value, unit)
    low, high = settings.PATIENT_WEIGHT_MIN_KG, settings.PATIENT_WEIGHT_MAX_KG
    if not low <= weight_kg <= high:
        # The classic error is a pound figure typed as kg (154 "kg" for a 70 kg patient).
        other = lb_to_kg(value) if unit == WeightMeasurement.Unit.KG else value
        hint = (
            f" Was it typed in {'pounds' if unit == 'kg' else 'kilograms'}?"
            if low <= other <= high
            else ""
        )
        raise ValidationError(
            {"value": f"{weight_kg} kg is outside {low}-{high} kg and cannot be right.{hint}"}
        )
    if measured_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"measured_at": "A weight cannot be measured in the future."})
    earlier = patient.weights.filter(measured_at__lte=measured_at, corrected_by__isnull=True)
    if instead_of is not None:
        earlier = earlier.exclude(pk=instead_of.pk)
    previous = earlier.order_by("-measured_at", "-pk").first()
    if previous is None and not confirm_unusual_weight:
        if (unusual := _unusual_first_weight(value, unit, weight_kg)) is not None:
            raise ValidationError({"confirm_unusual_weight": unusual}, code="confirm")
    change = None
    if previous is not None:
        change = ((weight_kg - previous.weight_kg) / previous.weight_kg * 100).quantize(
            Decimal("0.1")
        )
        if abs(change) > settings.WEIGHT_CHANGE_CONFIRM_PERCENT and not confirm_large_change:
            raise ValidationError(
                {
                    "confirm_large_change": (
                        f"{weight_kg} kg is {change:+}% from the last weight "
                        f"({previous.weight_kg} kg on "
                        f"{timezone.localtime(previous.measured_at):%m/%d/%Y}). Re-weigh and "
                        "check the unit, then confirm."
                    )
                },
                code="confirm",
            )
    return {
        "weight_kg": weight_kg,
        "entered_value": value,
        "entered_unit": unit,
        "change_from_previous_percent": change,
        "large_change_confirmed": bool(confirm_large_change and change is not None),
    }


@transaction.atomic
def weight_record(
    *,
    patient: Patient,
    value: Decimal,
    unit: str,
    measured_by: User,
    measured_at=None,
    confirm_large_change: bool = False,
    confirm_unusual_weight: bool = False,
) -> WeightMeasurement:
    """Record a weight. Pounds are converted once, here; implausible weights are refused, a
    change of more than 10% from the previous weight needs an explicit confirmation, and so
    does a first weight outside settings.FIRST_WEIGHT_USUAL_KG (``confirm_unusual_weight``)."""
    require_role(measured_by, *CLINICAL_ROLES, doing="record a weight")
    patient = _lock(patient)
    measured_at = measured_at or timezone.now()
    checked = _checked_weight(
        patient, value, unit, measured_at, confirm_large_change,
        confirm_unusual_weight=confirm_unusual_weight,
    )  # fmt: skip
    weight = WeightMeasurement(
        patient=patient,
        measured_at=measured_at,
        measured_by=measured_by,
        recorded_at=timezone.now(),
        **checked,
    )
    weight.full_clean()
    weight.save()
    return weight


@transaction.atomic
def weight_correct(
    *,
    weight: WeightMeasurement,
    value: Decimal,
    unit: str,
    reason: str,
    corrected_by: User,
    confirm_large_change: bool = False,
    confirm_unusual_weight: bool = False,
) -> WeightMeasurement:
    """Correct a mistyped weight: a new weight row that ``corrects`` it, measured at the same
    time, with the reason. The mistaken row stays (the database refuses to change it) and
    no longer counts as the patient's weight. Whoever may record a weight may correct one;
    the same limits apply. A dose order calculated from the mistaken weight is not changed:
    the dose panel then says a new order is needed."""
    require_role(corrected_by, *CLINICAL_ROLES, doing="correct a weight")
    patient = _lock(weight.patient)
    weight = WeightMeasurement.objects.get(pk=weight.pk)
    if WeightMeasurement.objects.filter(corrects=weight).exists():
        raise ValidationError("That weight has already been corrected; correct the correction.")
    problems = {}
    if not (reason or "").strip():
        problems["reason"] = "Say what was wrong with the weight."
    try:
        checked = _checked_weight(
            patient, value, unit, weight.measured_at, confirm_large_change, instead_of=weight,
            confirm_unusual_weight=confirm_unusual_weight,
        )  # fmt: skip
    except ValidationError as error:
        problems.update(error.message_dict)
    if problems:
        raise ValidationError(problems)
    if checked["weight_kg"] == weight.weight_kg and unit == weight.entered_unit:
        raise ValidationError({"value": "That is the weight already recorded."})
    correction = WeightMeasurement(
        patient=patient,
        corrects=weight,
        correction_reason=reason.strip(),
        measured_at=weight.measured_at,
        measured_by=corrected_by,
        recorded_at=timezone.now(),
        **checked,
    )
    correction.full_clean()
    correction.save()
    return correction
