"""Chairside charting: check-in, vitals and alerts, start/pause/resume/stop, side effects,
completion and recovery. Discharge and corrections are in ``discharge.py``.

The infusion record's status moves only through ``ALLOWED_TRANSITIONS``, each move an
``InfusionStatusEvent`` with who and the exact time. The appointment follows: check-in ->
checked in, start -> in chair, discharge -> completed (through the scheduling service).

Completion records the mg administered on the chart. The controlled-substance log is
accounted in the same transaction only when the nurse gives the wasted amount (and a witness
for any waste); otherwise it is left to the dose panel's drug-log form, which refuses to
account twice.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.access import require_role
from clinic.models import User
from clinic.roles import Role
from patients.services import measure_record, weight_record
from scheduling.models import Appointment, AppointmentStatus
from scheduling.services import appointment_transition

from .. import scoring
from ..models import (
    AckAction,
    Alert,
    AlertAcknowledgement,
    EventKind,
    InfusionEvent,
    InfusionRecord,
    InfusionStatus,
    InfusionStatusEvent,
    Phase,
    SideEffect,
    VitalsReading,
)
from ..models.charting import ALLOWED_TRANSITIONS
from .checks import infusion_may_start
from .druglog import infusion_drug_account

CHARTERS = (Role.NURSE, Role.PHYSICIAN)
S = InfusionStatus
PHASE_FOR_STATUS = {
    S.CHECKED_IN: Phase.BASELINE, S.PRE_ASSESSMENT: Phase.BASELINE, S.READY: Phase.BASELINE,
    S.RUNNING: Phase.DURING, S.PAUSED: Phase.DURING, S.STOPPED: Phase.END,
    S.COMPLETED: Phase.END, S.RECOVERY: Phase.RECOVERY,
}  # fmt: skip


class IllegalInfusionTransition(ValidationError):
    """A status change the infusion record's transition table does not allow."""


def _lock(record: InfusionRecord) -> InfusionRecord:
    return InfusionRecord.objects.select_for_update().get(pk=record.pk)


def _transition(
    record: InfusionRecord, to_status: str, by: User, at: datetime.datetime, reason: str = ""
) -> InfusionStatusEvent:
    if to_status not in ALLOWED_TRANSITIONS[record.status]:
        current = S(record.status).label.lower() if record.status else "new"
        raise IllegalInfusionTransition(
            {"status": f"An infusion that is {current} cannot become "
             f"{S(to_status).label.lower()}."}
        )  # fmt: skip
    event = InfusionStatusEvent(
        record=record, from_status=record.status, to_status=to_status, at=at, by=by,
        reason=reason.strip(),
    )  # fmt: skip
    event.full_clean()
    event.save()
    record.status = to_status
    record.save(update_fields=["status"])
    return event


def _appointment_to(appointment: Appointment, status: str, by: User) -> None:
    if appointment.status != status:
        appointment_transition(appointment=appointment, to_status=status, changed_by=by)


@transaction.atomic
def infusion_check_in(*, appointment: Appointment, by: User, reason: str = "") -> InfusionRecord:
    """Open the chart (once per appointment) and check the appointment in.

    ``reason`` is kept on the checked-in status event (e.g. the escort and comfort notes).
    """
    require_role(by, *CHARTERS, doing="chart infusions")
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if InfusionRecord.objects.filter(appointment=appointment).exists():
        raise ValidationError("This visit is already checked in.")
    order = appointment.dose_orders.active().first()
    version = order.protocol_version if order else None
    if version is None and appointment.course_id:
        version = appointment.course.protocol.current_version
    if version is None:
        raise ValidationError("This visit has no protocol: book it under a course first.")
    _appointment_to(appointment, AppointmentStatus.CHECKED_IN, by)
    now = timezone.now()
    record = InfusionRecord(
        appointment=appointment, order=order, protocol_version=version, status="",
        checked_in_at=now, checked_in_by=by,
    )  # fmt: skip
    record.full_clean(exclude=["status"])
    record.save()
    _transition(record, S.CHECKED_IN, by, now, reason)
    return record


@transaction.atomic
def appointment_escort_confirm(
    *, appointment: Appointment, by: User, name: str, phone: str
) -> None:
    """Store the escort's name and phone on the appointment and mark them confirmed.

    Done chairside at check-in. A queryset update of the three escort fields only: no
    status change, so it needs no scheduling transition (and sends no signal).
    """
    require_role(by, *CHARTERS, doing="confirm the escort")
    name, phone = name.strip(), phone.strip()
    errors = {}
    if not name:
        errors["escort_name"] = "Enter the escort's name."
    elif len(name) > Appointment._meta.get_field("escort_name").max_length:
        errors["escort_name"] = "The name is too long."
    if not phone:
        errors["escort_phone"] = "Enter the escort's phone number."
    elif len(phone) > Appointment._meta.get_field("escort_phone").max_length:
        errors["escort_phone"] = "The phone number is too long."
    if errors:
        raise ValidationError(errors)
    Appointment.objects.filter(pk=appointment.pk).update(
        escort_name=name, escort_phone=phone, escort_confirmed=True
    )


def _renamed(error: ValidationError, names: dict[str, str], default: str) -> ValidationError:
    """The error with its field names mapped to the check-in form's (``default`` if unknown)."""
    if not hasattr(error, "error_dict"):
        return ValidationError({default: error.messages})
    renamed: dict[str, list] = {}
    for name, messages in error.message_dict.items():
        renamed.setdefault(names.get(name, default), []).extend(messages)
    return ValidationError(renamed)


@transaction.atomic
def infusion_check_in_full(
    *,
    appointment: Appointment,
    by: User,
    escort_present: bool,
    escort_name: str,
    escort_phone: str,
    weight_value: Decimal,
    weight_unit: str,
    pain_nrs: int,
    confirm_large_change: bool = False,
    comfort_applied: tuple[str, ...] = (),
) -> InfusionRecord:
    """The whole chairside check-in, all or nothing: the escort confirmed on the appointment,
    today's weight, the pre-infusion pain NRS, then the chart opened (``infusion_check_in``).

    Any ValidationError rolls everything back; its field names are the check-in form's
    (``weight_value``, ``weight_unit``, ``confirm_large_change``, ``pain_nrs``, ``escort_*``).
    """
    require_role(by, *CHARTERS, doing="chart infusions")
    if InfusionRecord.objects.filter(appointment=appointment).exists():
        raise ValidationError("This visit is already checked in.")
    appointment_escort_confirm(appointment=appointment, by=by, name=escort_name, phone=escort_phone)
    try:
        weight_record(
            patient=appointment.patient, value=weight_value, unit=weight_unit, measured_by=by,
            confirm_large_change=confirm_large_change,
        )  # fmt: skip
    except ValidationError as error:
        names = {"value": "weight_value", "unit": "weight_unit", "measured_at": "weight_value",
                 "confirm_large_change": "confirm_large_change"}  # fmt: skip
        raise _renamed(error, names, "weight_value") from error
    try:
        measure_record(
            patient=appointment.patient, kind="pain_nrs", answers={"score": pain_nrs},
            recorded_by=by, context="pre_infusion",
        )  # fmt: skip
    except ValidationError as error:
        raise _renamed(error, {}, "pain_nrs") from error
    escort = "Escort present" if escort_present else "Escort on the way"
    reason = f"{escort}: {escort_name.strip()}, {escort_phone.strip()}."
    if comfort_applied:
        reason += " Comfort applied: " + ", ".join(comfort_applied) + "."
    return infusion_check_in(appointment=appointment, by=by, reason=reason)


# --- Vitals and alerts -------------------------------------------------------------------


def thresholds(version) -> scoring.Thresholds:
    return scoring.Thresholds(
        systolic_high=version.systolic_high_mmhg, systolic_low=version.systolic_low_mmhg,
        diastolic_high=version.diastolic_high_mmhg, pulse_high=version.pulse_high_bpm,
        pulse_low=version.pulse_low_bpm, spo2_low=version.spo2_low_percent,
    )  # fmt: skip


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
    if record.status == S.DISCHARGED:
        raise ValidationError("The patient has been discharged; the chart is closed.")
    values = {
        "systolic": _whole("systolic_mmhg", systolic_mmhg),
        "diastolic": _whole("diastolic_mmhg", diastolic_mmhg),
        "pulse": _whole("pulse_bpm", pulse_bpm),
        "spo2": _whole("spo2_percent", spo2_percent),
    }
    rate = _whole("respiratory_rate_per_min", respiratory_rate_per_min, required=False)
    problems = scoring.impossible_vitals(**values, respiratory_rate=rate)
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
        record=record, taken_at=taken_at or timezone.now(),
        phase=phase or PHASE_FOR_STATUS[record.status], systolic_mmhg=values["systolic"],
        diastolic_mmhg=values["diastolic"], pulse_bpm=values["pulse"],
        spo2_percent=values["spo2"], respiratory_rate_per_min=rate,
        consciousness=consciousness or "", temperature_c=temperature_c,
        on_oxygen=bool(on_oxygen), implausible_confirmed=bool(unlikely),
        news2_score=score.total if score else None, news2_band=score.band if score else "",
        taken_by=taken_by,
    )  # fmt: skip
    reading.full_clean()
    reading.save()
    alerts = []
    version = record.protocol_version
    for parameter, value, message in scoring.vitals_alerts(**values, limits=thresholds(version)):
        alert = Alert(
            record=record, reading=reading, protocol_version=version, parameter=parameter,
            value=value, message=message,
        )  # fmt: skip
        alert.full_clean()
        alert.save()
        alerts.append(alert)
    if record.status == S.CHECKED_IN and reading.phase == Phase.BASELINE:
        _transition(record, S.PRE_ASSESSMENT, taken_by, reading.taken_at)
    return reading, alerts


@transaction.atomic
def alert_acknowledge(
    *, alert: Alert, by: User, action: str, note: str = "", physician: User | None = None
) -> AlertAcknowledgement:
    """Record what was done about an alert; pausing or stopping also changes the infusion."""
    require_role(by, *CHARTERS, doing="acknowledge alerts")
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if AlertAcknowledgement.objects.filter(alert=alert).exists():
        raise ValidationError("This alert has already been acknowledged.")
    if action not in AckAction.values:
        raise ValidationError({"action": "Choose what was done."})
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


# --- Start, pause, resume, stop, complete, recovery ----------------------------------------


@transaction.atomic
def infusion_start(*, record: InfusionRecord, by: User) -> InfusionRecord:
    """Start: needs a baseline reading and an order that may start (signed, double-checked)."""
    require_role(by, *CHARTERS, doing="start infusions")
    record = _lock(record)
    if record.status not in (S.PRE_ASSESSMENT, S.READY):
        current = S(record.status).label.lower()
        raise IllegalInfusionTransition(
            {"status": f"An infusion that is {current} cannot start; resume a paused one."}
        )
    if not record.vitals.filter(phase=Phase.BASELINE, corrections__isnull=True).exists():
        raise ValidationError("Record the baseline vitals before starting.")
    order = record.appointment.dose_orders.active().first()
    if order is None:
        raise ValidationError("There is no dose order for this visit.")
    reasons = infusion_may_start(order)
    if reasons:
        raise ValidationError(reasons)
    now = timezone.now()
    if record.status == S.PRE_ASSESSMENT:
        _transition(record, S.READY, by, now)
    _transition(record, S.RUNNING, by, now)
    record.order, record.protocol_version, record.started_at = order, order.protocol_version, now
    record.save(update_fields=["order", "protocol_version", "started_at"])
    _appointment_to(record.appointment, AppointmentStatus.IN_CHAIR, by)
    return record


def _event(record: InfusionRecord, kind: str, by: User, **fields) -> InfusionEvent:
    occurred_at = fields.pop("occurred_at", None) or timezone.now()
    event = InfusionEvent(record=record, kind=kind, by=by, occurred_at=occurred_at, **fields)
    event.full_clean()
    event.save()
    return event


def _reason(reason: str, doing: str) -> str:
    if not reason.strip():
        raise ValidationError({"reason": f"Say why the infusion is {doing}."})
    return reason.strip()


@transaction.atomic
def infusion_pause(*, record: InfusionRecord, by: User, reason: str) -> InfusionEvent:
    require_role(by, *CHARTERS, doing="pause infusions")
    record = _lock(record)
    status = _transition(record, S.PAUSED, by, timezone.now(), _reason(reason, "paused"))
    return _event(record, EventKind.PAUSE, by, reason=status.reason, occurred_at=status.at)


@transaction.atomic
def infusion_resume(*, record: InfusionRecord, by: User, reason: str) -> InfusionEvent:
    require_role(by, *CHARTERS, doing="resume infusions")
    record = _lock(record)
    if record.status != S.PAUSED:
        raise IllegalInfusionTransition({"status": "Only a paused infusion can resume."})
    status = _transition(record, S.RUNNING, by, timezone.now(), _reason(reason, "resumed"))
    return _event(record, EventKind.RESUME, by, reason=status.reason, occurred_at=status.at)


@transaction.atomic
def infusion_stop(*, record: InfusionRecord, by: User, reason: str) -> InfusionEvent:
    """Stop early (not completed): the end time is now."""
    require_role(by, *CHARTERS, doing="stop infusions")
    record = _lock(record)
    status = _transition(record, S.STOPPED, by, timezone.now(), _reason(reason, "stopped"))
    record.ended_at = status.at
    record.save(update_fields=["ended_at"])
    return _event(record, EventKind.STOP, by, reason=status.reason, occurred_at=status.at)


@transaction.atomic
def side_effect_record(
    *, record: InfusionRecord, by: User, side_effect: str, severity: str, note: str = "",
    intervention: str = "", intervention_drug: str = "", intervention_dose: str = "",
    cadss_items: dict | None = None,
) -> InfusionEvent:  # fmt: skip
    require_role(by, *CHARTERS, doing="chart side effects")
    if cadss_items:
        if side_effect != SideEffect.DISSOCIATION:
            raise ValidationError({"cadss_items": "CADSS scores belong to dissociation."})
        names = {f"item_{n}" for n in range(1, 7)}
        bad = [k for k, v in cadss_items.items() if k not in names or v not in range(5)]
        if bad or set(cadss_items) != names:
            raise ValidationError({"cadss_items": "Score all six CADSS items 0-4."})
    if intervention_drug and not intervention_dose:
        raise ValidationError({"intervention_dose": "Record the dose of the drug given."})
    return _event(
        _lock(record), EventKind.SIDE_EFFECT, by, side_effect=side_effect, severity=severity,
        reason=note.strip(), intervention=intervention.strip(),
        intervention_drug=intervention_drug.strip(), intervention_dose=intervention_dose.strip(),
        cadss_items=cadss_items or None,
    )  # fmt: skip


@transaction.atomic
def infusion_complete(
    *, record: InfusionRecord, by: User, administered_mg, wasted_mg=None,
    witness: User | None = None,
) -> InfusionRecord:  # fmt: skip
    """The whole bag given: end time now, the mg administered on the chart (and the drug
    log accounted too when ``wasted_mg`` is given)."""
    require_role(by, *CHARTERS, doing="complete infusions")
    record = _lock(record)
    try:
        given = Decimal(str(administered_mg))
    except InvalidOperation:
        raise ValidationError({"administered_mg": "Enter the mg given."}) from None
    if given < 0 or (record.order and given > record.order.dose_mg):
        raise ValidationError(
            {"administered_mg": "The mg given must be between 0 and the ordered dose."}
        )
    status = _transition(record, S.COMPLETED, by, timezone.now())
    record.ended_at, record.administered_mg = status.at, given
    record.save(update_fields=["ended_at", "administered_mg"])
    if wasted_mg not in (None, ""):
        infusion_drug_account(
            order=record.order, administered_mg=given, wasted_mg=Decimal(str(wasted_mg)),
            witness=witness, by=by, occurred_at=status.at,
        )  # fmt: skip
    return record


@transaction.atomic
def infusion_recovery(*, record: InfusionRecord, by: User) -> InfusionRecord:
    require_role(by, *CHARTERS, doing="chart recovery")
    record = _lock(record)
    if record.status == S.STOPPED and record.administered_mg is None:
        raise ValidationError({"administered_mg": "Record the mg given before recovery."})
    _transition(record, S.RECOVERY, by, timezone.now())
    return record


@transaction.atomic
def infusion_record_stopped_dose(*, record: InfusionRecord, by: User, administered_mg):
    """After an early stop: the mg that went in before the stop."""
    require_role(by, *CHARTERS, doing="chart infusions")
    record = _lock(record)
    if record.status != S.STOPPED or record.administered_mg is not None:
        raise ValidationError("Only a stopped infusion without a recorded dose takes one.")
    record.administered_mg = Decimal(str(administered_mg))
    record.full_clean()
    record.save(update_fields=["administered_mg"])
    return record


def vitals_due(record: InfusionRecord, now: datetime.datetime | None = None):
    """(due_at, overdue) for the chair screen, ignoring corrected readings."""
    readings = list(record.vitals.filter(corrections__isnull=True))
    return scoring.next_vitals_due(record, readings, now or timezone.now())
