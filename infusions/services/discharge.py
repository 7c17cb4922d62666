"""Discharge from recovery.

Discharge needs: the protocol version's score type total at or above its minimum, the last
vitals within 20% of the baseline (or a recorded override reason), the escort physically
present and named (an escort who was on the way at check-in must have been marked arrived),
the post-infusion pain NRS (recorded as a patients outcome measure) and discharge
instructions given. The appointment then becomes completed, which moves the course.
A mistaken discharge entry is corrected in ``corrections.discharge_correct``.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.access import require_role
from clinic.models import User
from patients.services import measure_record
from scheduling.models import AppointmentStatus

from .. import scoring
from ..models import Discharge, EscortStatus, InfusionRecord, InfusionStatus, Phase, ProtocolVersion
from ..selectors.timing import discharge_blocker
from .transitions import CHARTERS, _appointment_to, _lock, _transition, happened_at

BASELINE_FIELDS = ("systolic_mmhg", "diastolic_mmhg", "pulse_bpm")
BASELINE_PERCENT = 20


def vitals_back_to_baseline(record: InfusionRecord) -> tuple[bool, list[str], str]:
    """(within, fields away, explanation): the latest reading against the last baseline,
    ignoring corrected readings."""
    readings = list(record.vitals.filter(corrections__isnull=True).order_by("taken_at", "pk"))
    baseline = [r for r in readings if r.phase == Phase.BASELINE]
    if not baseline or len(readings) < 2 or readings[-1].phase == Phase.BASELINE:
        return False, [], "No reading since the baseline to compare."
    first, last = baseline[-1], readings[-1]
    away = scoring.outside_baseline(
        {name: getattr(first, name) for name in BASELINE_FIELDS},
        {name: getattr(last, name) for name in BASELINE_FIELDS},
        BASELINE_PERCENT,
    )
    if away:
        return False, away, f"More than {BASELINE_PERCENT}% from baseline: " + ", ".join(away)
    return True, [], f"Within {BASELINE_PERCENT}% of baseline."


def assessment_problems(
    *, version: ProtocolVersion, score_type: str, item_scores: dict, escort_present: bool,
    escort_name: str, pain_nrs, instructions_given: bool, within: bool, explanation: str,
    vitals_override_reason: str,
) -> tuple[int | None, dict]:  # fmt: skip
    """(total, problems by field) of a discharge assessment: the rules a discharge entry and
    its correction share."""
    total, problems = scoring.discharge_score(score_type, item_scores or {})
    if score_type != version.discharge_score_type:
        total, problems = None, {"score_type": (
            f"This protocol discharges with the {version.get_discharge_score_type_display()} "
            "score."
        )}  # fmt: skip
    if total is not None and total < version.min_discharge_score:
        problems["item_scores"] = (
            f"Score {total} is below the protocol's minimum of {version.min_discharge_score}: "
            "the patient is not ready to leave."
        )
    if not escort_present or not (escort_name or "").strip():
        problems["escort_name"] = (
            "The escort must be here in person: record who is collecting the patient."
        )
    if not instructions_given:
        problems["instructions_given"] = "Give the discharge instructions first."
    if isinstance(pain_nrs, bool) or not isinstance(pain_nrs, int) or not 0 <= pain_nrs <= 10:
        problems["pain_nrs"] = "Pain is a whole number from 0 to 10."
    if not within and not (vitals_override_reason or "").strip():
        problems["vitals_override_reason"] = f"{explanation} Give a reason to discharge anyway."
    return total, problems


@transaction.atomic
def discharge_record(
    *,
    record: InfusionRecord,
    by: User,
    score_type: str,
    item_scores: dict,
    escort_present: bool,
    escort_name: str,
    pain_nrs: int,
    instructions_given: bool,
    vitals_override_reason: str = "",
    at=None,
    late_reason: str = "",
) -> Discharge:
    """Recovery -> discharged, now or (an entry charted late) when the patient left:
    ``transitions.happened_at``."""
    require_role(by, *CHARTERS, doing="discharge patients")
    record = _lock(record)
    if record.status != InfusionStatus.RECOVERY:
        raise ValidationError({"status": "Discharge is from recovery only."})
    version = record.protocol_version
    at, late_reason = happened_at(record, at, late_reason)
    too_early = discharge_blocker(record, at)
    if too_early:
        raise ValidationError({"status": too_early})
    within, _away, explanation = vitals_back_to_baseline(record)
    total, problems = assessment_problems(
        version=version, score_type=score_type, item_scores=item_scores,
        escort_present=escort_present, escort_name=escort_name, pain_nrs=pain_nrs,
        instructions_given=instructions_given, within=within, explanation=explanation,
        vitals_override_reason=vitals_override_reason,
    )  # fmt: skip
    escort = record.escort_entries.order_by("at", "pk").last()
    if escort is not None and escort.status == EscortStatus.ON_THE_WAY:
        problems["escort_present"] = (
            f"The escort ({escort.name}) was on the way at check-in: mark them arrived "
            "before discharge."
        )
    if problems:
        raise ValidationError(problems)
    measure = measure_record(
        patient=record.appointment.patient, kind="pain_nrs", answers={"score": pain_nrs},
        recorded_by=by, context="post_infusion", taken_at=at if late_reason else None,
    )  # fmt: skip
    status = _transition(record, InfusionStatus.DISCHARGED, by, at, late_reason=late_reason)
    discharge = Discharge(
        record=record, protocol_version=version, score_type=score_type,
        item_scores=item_scores, total=total, vitals_within_baseline=within,
        vitals_override_reason="" if within else vitals_override_reason.strip(),
        escort_present=True, escort_name=escort_name.strip(), pain_nrs=pain_nrs,
        pain_measure=measure, instructions_given=True, discharged_at=status.at, by=by,
    )  # fmt: skip
    discharge.full_clean()
    discharge.save()
    _appointment_to(record.appointment, AppointmentStatus.COMPLETED, by)
    return discharge
