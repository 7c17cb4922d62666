"""Corrections of the chart. Nothing charted is edited or deleted (the database refuses it);
a mistake is answered by a new entry that points at it, with the reason, and the chart shows
the mistaken entry struck through.

- A vitals reading or an event: a ``Correction`` row marks it wrong (the right reading, if
  any, is charted again as a new reading).
- An alert acknowledgement or a discharge: a whole new acknowledgement or discharge entry
  that ``corrects`` the standing one. These correct the record of what was done; they do not
  pause, stop or discharge anything again. A discharge correction keeps the time the patient
  left. A changed post-infusion pain score is corrected where it lives, in the patient's
  outcome measures (``patients.services.measure_correct``): the mistaken measure drops out
  of the pain series and the correction takes its place, so the course is not counted twice.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.access import require_role
from clinic.models import User
from clinic.roles import Role
from patients.selectors import measure_standing
from patients.services import measure_correct

from ..models import (
    AckAction,
    Alert,
    AlertAcknowledgement,
    Correction,
    Discharge,
    InfusionEvent,
    InfusionRecord,
    VitalsReading,
)
from ..models.charting import ack_action_problem
from .discharge import assessment_problems, vitals_back_to_baseline
from .transitions import CHARTERS, _lock


def _why(reason: str) -> str:
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say what was wrong with the entry."})
    return reason.strip()


@transaction.atomic
def correction_record(
    *,
    record: InfusionRecord,
    by: User,
    reason: str,
    vitals: VitalsReading | None = None,
    event: InfusionEvent | None = None,
) -> Correction:
    """Mark one charted reading or event as wrong, with why. It stays, struck through."""
    require_role(by, *CHARTERS, doing="correct the chart")
    if (vitals is None) == (event is None):
        raise ValidationError("Correct one entry at a time: a vitals reading or an event.")
    record = _lock(record)
    target = vitals or event
    if target.record_id != record.pk:
        raise ValidationError("That entry belongs to another infusion.")
    reason = _why(reason)
    if target.corrections.exists():
        raise ValidationError("That entry has already been corrected.")
    correction = Correction(record=record, vitals=vitals, event=event, reason=reason, by=by)
    correction.full_clean()
    correction.save()
    return correction


@transaction.atomic
def acknowledgement_correct(
    *,
    acknowledgement: AlertAcknowledgement,
    by: User,
    reason: str,
    action: str,
    note: str = "",
    physician: User | None = None,
) -> AlertAcknowledgement:
    """Replace the standing acknowledgement of an alert with the right one, with why."""
    require_role(by, *CHARTERS, doing="correct the chart")
    alert = Alert.objects.select_for_update().get(pk=acknowledgement.alert_id)
    standing = alert.acknowledgements.filter(corrected_by__isnull=True).order_by("at", "pk")
    if acknowledgement.pk not in {ack.pk for ack in standing}:
        raise ValidationError("That acknowledgement has already been corrected.")
    problems = {}
    if not (reason or "").strip():
        problems["reason"] = "Say what was wrong with the acknowledgement."
    if problem := ack_action_problem(alert, action):
        problems["action"] = problem
    elif action == AckAction.CONTINUED and (
        physician is None or not physician.has_role(Role.PHYSICIAN)
    ):
        problems["physician"] = "Name the physician who approved continuing."
    if problems:
        raise ValidationError(problems)
    corrected = AlertAcknowledgement(
        alert=alert, corrects=acknowledgement, correction_reason=reason.strip(), action=action,
        physician=physician if action == AckAction.CONTINUED else None, note=note.strip(),
        by=by,
    )  # fmt: skip
    corrected.full_clean()
    corrected.save()
    return corrected


@transaction.atomic
def discharge_correct(
    *,
    discharge: Discharge,
    by: User,
    reason: str,
    score_type: str,
    item_scores: dict,
    escort_name: str,
    pain_nrs: int,
    instructions_given: bool,
    escort_present: bool = True,
    vitals_override_reason: str = "",
) -> Discharge:
    """Replace the standing discharge entry with the right assessment, with why. The same
    rules as at discharge apply; the patient's discharge time stays. A different pain score
    corrects the post-infusion pain measure (the new entry points at the correction)."""
    require_role(by, *CHARTERS, doing="correct the chart")
    record = _lock(discharge.record)
    discharge = Discharge.objects.select_related("protocol_version").get(pk=discharge.pk)
    if Discharge.objects.filter(corrects=discharge).exists():
        raise ValidationError("That discharge entry has already been corrected.")
    within, _away, explanation = vitals_back_to_baseline(record)
    total, problems = assessment_problems(
        version=discharge.protocol_version, score_type=score_type, item_scores=item_scores,
        escort_present=escort_present, escort_name=escort_name, pain_nrs=pain_nrs,
        instructions_given=instructions_given, within=within, explanation=explanation,
        vitals_override_reason=vitals_override_reason,
    )  # fmt: skip
    if not (reason or "").strip():
        problems["reason"] = "Say what was wrong with the discharge entry."
    if problems:
        raise ValidationError(problems)
    pain_measure = measure_standing(discharge.pain_measure)
    if pain_nrs != pain_measure.score:
        pain_measure = measure_correct(
            measure=pain_measure, answers={"score": pain_nrs}, corrected_by=by,
            reason=f"Discharge correction: {reason.strip()}",
        )  # fmt: skip
    corrected = Discharge(
        record=record, corrects=discharge, correction_reason=reason.strip(),
        protocol_version=discharge.protocol_version, score_type=score_type,
        item_scores=item_scores, total=total, vitals_within_baseline=within,
        vitals_override_reason="" if within else vitals_override_reason.strip(),
        escort_present=True, escort_name=escort_name.strip(), pain_nrs=pain_nrs,
        pain_measure=pain_measure, instructions_given=True,
        discharged_at=discharge.discharged_at, by=by,
    )  # fmt: skip
    corrected.full_clean()
    corrected.save()
    return corrected
