from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.access import require_role
from clinic.models import User
from clinic.queries import known_new
from clinic.roles import Role

from .. import scoring
from ..models import MeasureKind, OutcomeMeasure, Patient, Phq9FollowUp

CONTEXTS = {"baseline", "pre_infusion", "post_infusion", "follow_up"}


def _items(answers: dict, count: int) -> list:
    extra = set(answers) - {f"item_{n}" for n in range(1, count + 1)}
    if extra:
        raise ValidationError({name: "Not an item of this questionnaire." for name in extra})
    return [answers.get(f"item_{n}") for n in range(1, count + 1)]


def score_answers(kind: str, answers: dict) -> dict:
    """Score a questionnaire with patients.scoring; return the fields to store.

    Raises ValidationError naming the item at fault, so forms and the API show it in place.
    """
    try:
        if kind == MeasureKind.PAIN_NRS:
            value = answers.get("score")
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
                raise scoring.ScoringError({"score": "Pain is a whole number from 0 to 10."})
            return {"score": Decimal(value), "interpretation": f"{value}/10", "details": {}}
        if kind == MeasureKind.FIQR:
            result = scoring.fiqr_score(_items(answers, scoring.FIQR_ITEM_COUNT))
            return {
                "score": result.total,
                "interpretation": "not computable" if result.total is None else "FIQR 0-100",
                "details": {
                    "function": str(result.function),
                    "overall_impact": str(result.overall_impact),
                    "symptoms": str(result.symptoms),
                    "prorated_domains": list(result.prorated_domains),
                    "problems": list(result.problems),
                },
            }
        if kind == MeasureKind.ACR_2016:
            result = scoring.acr_2016_criteria(**answers)
            return {
                "score": Decimal(result.fibromyalgia_severity),
                "interpretation": "criteria met" if result.criteria_met else "criteria not met",
                "details": {
                    "wpi": result.wpi,
                    "sss": result.sss,
                    "regions_with_pain": list(result.regions_with_pain),
                    "generalized_pain": result.generalized_pain,
                    "criteria_met": result.criteria_met,
                    "reasons": list(result.reasons),
                },
            }
        if kind == MeasureKind.PHQ9:
            result = scoring.phq9_score(_items(answers, scoring.PHQ9_ITEM_COUNT))
            return {
                "score": Decimal(result.total),
                "interpretation": result.band.label,
                "details": {"band": str(result.band), "item9_positive": result.item9_positive},
                "needs_same_day_follow_up": result.item9_positive,
            }
    except scoring.ScoringError as error:
        raise ValidationError(error.errors) from error
    except TypeError as error:  # an unexpected or missing keyword in the answers
        raise ValidationError({"answers": str(error)}) from error
    raise ValidationError({"kind": "Unknown outcome measure."})


@transaction.atomic
def measure_record(
    *,
    patient: Patient,
    kind: str,
    answers: dict,
    recorded_by: User,
    context: str = "baseline",
    completed_by_patient: bool = False,
    taken_at=None,
) -> OutcomeMeasure:
    """``taken_at``: when the answers were given, for one charted later (a late discharge);
    the caller has checked it."""
    require_role(recorded_by, Role.NURSE, Role.PHYSICIAN, doing="record outcome measures")
    return _record(patient, kind, answers, context, completed_by_patient, recorded_by, taken_at)


def _record(patient, kind, answers, context, completed_by_patient, recorded_by, taken_at=None):
    if context not in CONTEXTS:
        raise ValidationError({"context": "Choose " + ", ".join(sorted(CONTEXTS)) + "."})
    scored = score_answers(kind, answers)
    measure = OutcomeMeasure(
        patient=patient,
        kind=kind,
        answers=answers,
        context=context,
        completed_by_patient=completed_by_patient,
        recorded_by=recorded_by,
        taken_at=taken_at,
        **scored,
    )
    measure.full_clean()
    known_new(measure)  # nothing corrects it yet
    measure.save()
    return measure


@transaction.atomic
def measure_record_from_home(
    *, patient: Patient, kind: str, answers: dict, context: str
) -> OutcomeMeasure:
    """The patient's own answers, given from home: the same scoring and the same append-only
    row as ``measure_record``, marked patient-reported, with no member of staff.

    No role check: the caller has proven the patient (outcomes' patient link and date of
    birth) and records which link carried the answers. A non-zero PHQ-9 item 9 sets
    ``needs_same_day_follow_up`` exactly as on the tablet."""
    return _record(patient, kind, answers, context, True, None)


@transaction.atomic
def measure_correct(
    *,
    measure: OutcomeMeasure,
    answers: dict,
    reason: str,
    corrected_by: User,
) -> OutcomeMeasure:
    """Correct a mistaken outcome measure: a new row of the same patient, kind and context
    that ``corrects`` it, scored afresh, with the reason. The mistaken row stays (the
    database refuses to change it) and drops out of every series; the correction takes its
    place at the original's time. Whoever may record a measure may correct one."""
    require_role(corrected_by, Role.NURSE, Role.PHYSICIAN, doing="correct outcome measures")
    Patient.objects.select_for_update().get(pk=measure.patient_id)
    measure = OutcomeMeasure.objects.get(pk=measure.pk)
    if OutcomeMeasure.objects.filter(corrects=measure).exists():
        raise ValidationError("That entry has already been corrected; correct the correction.")
    problems = {}
    if not (reason or "").strip():
        problems["reason"] = "Say what was wrong with the entry."
    try:
        scored = score_answers(measure.kind, answers)
    except ValidationError as error:
        problems.update(error.message_dict)
    if problems:
        raise ValidationError(problems)
    if answers == measure.answers:
        raise ValidationError("These are the answers already recorded.")
    correction = OutcomeMeasure(
        patient_id=measure.patient_id,
        kind=measure.kind,
        answers=answers,
        context=measure.context,
        completed_by_patient=measure.completed_by_patient,
        recorded_by=corrected_by,
        corrects=measure,
        correction_reason=reason.strip(),
        taken_at=measure.given_at or timezone.now(),
        **scored,
    )
    correction.full_clean()
    correction.save()
    return correction


@transaction.atomic
def phq9_follow_up_record(*, measure: OutcomeMeasure, physician: User, note: str) -> Phq9FollowUp:
    """Close a PHQ-9 item-9 flag: only a physician, only once, always with a note."""
    if not physician.may(Role.PHYSICIAN):
        raise PermissionDenied("Only a physician records the PHQ-9 follow-up.")
    measure = OutcomeMeasure.objects.select_for_update().get(pk=measure.pk)
    if not measure.needs_same_day_follow_up:
        raise ValidationError("This PHQ-9 raised no item-9 flag.")
    if OutcomeMeasure.objects.filter(corrects=measure).exists():
        raise ValidationError("This PHQ-9 has been corrected: follow up on the correction.")
    if Phq9FollowUp.objects.filter(measure=measure).exists():
        raise ValidationError("The follow-up has already been recorded.")
    if not note.strip():
        raise ValidationError({"note": "Write what was assessed and done."})
    follow_up = Phq9FollowUp(measure=measure, physician=physician, note=note.strip())
    follow_up.full_clean()
    follow_up.save()
    return follow_up
