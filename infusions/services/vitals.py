"""Vitals and alerts: one set of vitals (impossible values refused, implausible ones
confirmed, NEWS2 stored, an Alert per value beyond the protocol's thresholds), the
acknowledgement of an alert, and when the next reading is due."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from clinic.access import require_role
from clinic.models import User
from clinic.roles import Role
from patients.selectors import latest_screening

from .. import scoring
from ..models import (
    AckAction,
    Alert,
    AlertAcknowledgement,
    AlertBreach,
    InfusionRecord,
    Phase,
    VitalsReading,
)
from ..models.charting import ack_action_problem
from ..timing import CLOCK_SKEW
from .events import infusion_pause, infusion_stop
from .transitions import (
    CHARTERS,
    PHASES_ALLOWED,
    S,
    _lock,
    _transition,
    phase_at,
    require_chartable,
)


def thresholds(version) -> scoring.Thresholds:
    return scoring.Thresholds(
        systolic_high=version.systolic_high_mmhg, systolic_low=version.systolic_low_mmhg,
        diastolic_high=version.diastolic_high_mmhg, pulse_high=version.pulse_high_bpm,
        pulse_low=version.pulse_low_bpm, spo2_low=version.spo2_low_percent,
    )  # fmt: skip


def _time_problem(record: InfusionRecord, taken_at: datetime.datetime, now) -> dict:
    """A reading typed in later (from the monitor's printout, from paper in a downtime) keeps
    the time it was taken: never in the future, nor before the patient was checked in (the
    latest reading decides the next one due, the back-to-baseline check and the chart)."""
    if taken_at > now + CLOCK_SKEW:
        return {"taken_at": "A reading cannot be timed in the future."}
    if taken_at < record.checked_in_at:
        checked_in = record.appointment.location.local(record.checked_in_at)
        return {
            "taken_at": "A reading cannot be timed before the patient was checked in "
            f"({checked_in:%m/%d/%Y %I:%M %p})."
        }
    return {}


def _phase(record: InfusionRecord, taken_at: datetime.datetime, given: str | None) -> str:
    """The reading's phase from its time (``transitions.phase_at``); a phase given must fit
    that time (no "recovery" reading before the start)."""
    derived = phase_at(record, taken_at)
    if given and given not in PHASES_ALLOWED[derived]:
        label = Phase(given).label.lower() if given in Phase.values else given
        raise ValidationError({"phase": (
            f"A reading taken then is a {Phase(derived).label.lower()} reading, not "
            f"{label}: the phase follows the time it was taken and the chart's start, end "
            "and recovery times."
        )})  # fmt: skip
    return given or derived


def _whole(name: str, value, required: bool = True) -> int | None:
    if value in (None, ""):
        if required:
            raise ValidationError({name: "Enter this value."})
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({name: "Enter a whole number."}) from None
    if number != number.to_integral_value():
        raise ValidationError({name: "Enter a whole number."})
    return int(number)


@transaction.atomic
def vitals_record(
    *,
    record: InfusionRecord,
    taken_by: User,
    systolic_mmhg,
    diastolic_mmhg,
    pulse_bpm,
    spo2_percent,
    respiratory_rate_per_min=None,
    consciousness: str = "",
    temperature_c=None,
    on_oxygen: bool = False,
    taken_at: datetime.datetime | None = None,
    phase: str | None = None,
    confirm_implausible: bool = False,
) -> tuple[VitalsReading, list[Alert]]:
    """One set of vitals. Impossible values are refused; implausible ones need
    ``confirm_implausible``. NEWS2 is stored when the set is complete; each value beyond the
    protocol's thresholds raises an Alert to acknowledge."""
    require_role(taken_by, *CHARTERS, doing="chart vitals")
    record = _lock(record)
    require_chartable(record)
    values = {
        "systolic": _whole("systolic_mmhg", systolic_mmhg),
        "diastolic": _whole("diastolic_mmhg", diastolic_mmhg),
        "pulse": _whole("pulse_bpm", pulse_bpm),
        "spo2": _whole("spo2_percent", spo2_percent),
    }
    rate = _whole("respiratory_rate_per_min", respiratory_rate_per_min, required=False)
    problems = scoring.impossible_vitals(**values, respiratory_rate=rate)
    now = timezone.now()
    taken_at = taken_at or now
    problems |= _time_problem(record, taken_at, now)
    phase = _phase(record, taken_at, phase) if not problems else phase
    if temperature_c not in (None, ""):
        try:
            temperature_c = Decimal(str(temperature_c))
        except InvalidOperation:
            problems["temperature_c"] = "Enter the temperature in °C, e.g. 36.8."
        else:
            if not Decimal("25") <= temperature_c <= Decimal("45"):
                problems["temperature_c"] = "Temperature must be in °C (25-45)."
    else:
        temperature_c = None
    if problems:
        raise ValidationError(problems)
    unlikely = scoring.implausible_vitals(**values)
    if unlikely and not confirm_implausible:
        raise ValidationError(
            {"confirm_implausible": "Unusual value (" + ", ".join(unlikely) + "): re-check "
             "the reading and confirm it is right."}
        )  # fmt: skip
    score = scoring.news2(
        respiratory_rate=rate, spo2=values["spo2"], on_oxygen=on_oxygen,
        systolic=values["systolic"], pulse=values["pulse"], consciousness=consciousness,
        temperature_c=temperature_c,
    )  # fmt: skip
    reading = VitalsReading(
        record=record, taken_at=taken_at,
        phase=phase, systolic_mmhg=values["systolic"],
        diastolic_mmhg=values["diastolic"], pulse_bpm=values["pulse"],
        spo2_percent=values["spo2"], respiratory_rate_per_min=rate,
        consciousness=consciousness or "", temperature_c=temperature_c,
        on_oxygen=bool(on_oxygen), implausible_confirmed=bool(unlikely),
        news2_score=score.total if score else None, news2_band=score.band if score else "",
        taken_by=taken_by,
    )  # fmt: skip
    reading.full_clean()
    reading.save()
    alerts = _raise_alert(record, reading, values, rate, score)
    if record.status == S.CHECKED_IN and reading.phase == Phase.BASELINE:
        _transition(record, S.PRE_ASSESSMENT, taken_by, reading.taken_at)
    return reading, alerts


def alert_rules(version) -> scoring.AlertRules:
    return scoring.AlertRules(
        rr_at_or_below=version.rr_alert_at_or_below_per_min,
        rr_at_or_above=version.rr_alert_at_or_above_per_min,
        news2_single_3=version.news2_alert_on_single_3,
        news2_total_at_least=version.news2_alert_total_at_least,
    )


def patient_limits(patient) -> dict[str, int]:
    """The vital-sign limits of the clearance that stands for the patient (that of the latest
    screening, when it cleared them), or none."""
    screening = latest_screening(patient)
    clearance = getattr(screening, "clearance", None) if screening else None
    if clearance is None or not clearance.allows_treatment:
        return {}
    return clearance.vital_limits


def _raise_alert(record, reading, values, rate, score) -> list[Alert]:
    """One alert for the reading naming every value out of range, or none."""
    version = record.protocol_version
    found = scoring.reading_breaches(
        **values, respiratory_rate=rate, score=score, limits=thresholds(version),
        rules=alert_rules(version), patient=patient_limits(record.appointment.patient),
    )  # fmt: skip
    if not found:
        return []
    alert = Alert(
        record=record, reading=reading, protocol_version=version,
        message="; ".join(message for *_, message in found)[:400],
        news2_score=score.total if score else None,
    )  # fmt: skip
    alert.full_clean()
    alert.save()
    for parameter, value, limit, source, message in found:
        breach = AlertBreach(alert=alert, parameter=parameter, value=value, limit=limit,
                             source=source, message=message)  # fmt: skip
        breach.full_clean()
        breach.save()
    return [alert]


@transaction.atomic
def alert_acknowledge(
    *, alert: Alert, by: User, action: str, note: str = "", physician: User | None = None
) -> AlertAcknowledgement:
    """Record what was done about an alert; pausing or stopping also changes the infusion."""
    require_role(by, *CHARTERS, doing="acknowledge alerts")
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if AlertAcknowledgement.objects.filter(alert=alert).exists():
        raise ValidationError("This alert has already been acknowledged.")
    if problem := ack_action_problem(alert, action):
        raise ValidationError({"action": problem})
    if action == AckAction.CONTINUED:
        if physician is None or not physician.has_role(Role.PHYSICIAN):
            raise ValidationError({"physician": "Name the physician who approved continuing."})
    else:
        physician = None
    ack = AlertAcknowledgement(alert=alert, action=action, physician=physician, by=by,
                               note=note.strip())  # fmt: skip
    ack.full_clean()
    ack.save()
    record = _lock(alert.record)
    reason = f"Alert: {alert.message}. {note}".strip()
    if action == AckAction.PAUSED and record.status == S.RUNNING:
        infusion_pause(record=record, by=by, reason=reason)
    elif action == AckAction.STOPPED and record.status in (S.RUNNING, S.PAUSED):
        infusion_stop(record=record, by=by, reason=reason)
    return ack


def vitals_due(record: InfusionRecord, now: datetime.datetime | None = None):
    """(due_at, overdue) for the chair screen, ignoring corrected readings."""
    readings = list(
        record.vitals.filter(corrections__isnull=True).annotate(
            alerted=Exists(Alert.objects.filter(reading=OuterRef("pk")))
        )
    )
    return scoring.next_vitals_due(record, readings, now or timezone.now())
