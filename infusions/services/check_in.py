"""Check-in: the chart opened once per appointment, with the escort (here or on the way,
name and phone as confirmed) and the comfort preferences applied kept as append-only rows;
and the escort's arrival later on.

``infusion_check_in_full`` is the chair screen's whole check-in in one transaction (escort
confirmed on the appointment, today's weight, pre-infusion pain, then the chart).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from phonenumber_field.phonenumber import to_python

from clinic.access import require_role
from clinic.models import User
from patients.services import measure_record, weight_record
from scheduling.hooks import on_check_in_undo
from scheduling.models import Appointment, AppointmentStatus
from scheduling.services import require_check_in_day

from ..models import (
    ComfortApplied,
    ComfortItem,
    EscortEntry,
    EscortStatus,
    InfusionRecord,
    InfusionStatus,
)
from ..selectors.chart import comfort_offered
from .transitions import CHARTERS, _appointment_to, _lock, _transition, require_chartable


def _escort_problems(name: str, phone: str, name_max: int) -> dict[str, str]:
    """The escort's name and phone as the nurse confirmed them (already stripped)."""
    errors = {}
    if not name:
        errors["escort_name"] = "Enter the escort's name."
    elif len(name) > name_max:
        errors["escort_name"] = "The name is too long."
    if not phone:
        errors["escort_phone"] = "Enter the escort's phone number."
    elif not to_python(phone, region=settings.PHONENUMBER_DEFAULT_REGION).is_valid():
        errors["escort_phone"] = "Enter a valid phone number, e.g. (949) 555-0123."
    return errors


def _escort_entry(record, by, status: str, name: str, phone: str, at) -> EscortEntry:
    name, phone = (name or "").strip(), str(phone or "").strip()
    errors = {}
    if status not in EscortStatus.values:
        errors["escort_status"] = "Say whether the escort is here or on the way."
    field = EscortEntry._meta.get_field
    errors |= _escort_problems(name, phone, field("name").max_length)
    if errors:
        raise ValidationError(errors)
    entry = EscortEntry(record=record, status=status, name=name, phone=phone, at=at, by=by)
    entry.full_clean()
    entry.save()
    return entry


def _comfort_rows(record, by, items, at) -> list[ComfortApplied]:
    offered = dict(comfort_offered(record.appointment.patient))
    unknown = [item for item in items if item not in offered]
    if unknown:
        raise ValidationError(
            {"comfort_applied": "Not one of the patient's comfort preferences: "
             + ", ".join(unknown) + "."}
        )  # fmt: skip
    rows = []
    for item in dict.fromkeys(items):  # once each, in the order given
        detail = offered[item] if item == ComfortItem.NOTES else ""
        row = ComfortApplied(record=record, item=item, detail=detail, at=at, by=by)
        row.full_clean()
        row.save()
        rows.append(row)
    return rows


@transaction.atomic
def infusion_check_in(
    *,
    appointment: Appointment,
    by: User,
    reason: str = "",
    escort_status: str = "",
    escort_name: str = "",
    escort_phone: str = "",
    comfort_applied: tuple[str, ...] = (),
) -> InfusionRecord:
    """Open the chart (once per appointment) and check the appointment in.

    With ``escort_status`` the escort as confirmed is recorded (an ``EscortEntry``); each of
    ``comfort_applied`` (``ComfortItem`` values among the patient's preferences) is a
    ``ComfortApplied`` row. ``reason`` is kept on the checked-in status event.
    """
    require_role(by, *CHARTERS, doing="chart infusions")
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    require_check_in_day(appointment)
    undone = _undone_record(appointment)
    order = appointment.dose_orders.active().first()
    version = order.protocol_version if order else None
    if version is None and appointment.course_id:
        version = appointment.course.protocol_in_force.current_version
    if version is None:
        raise ValidationError("This visit has no protocol: book it under a course first.")
    _appointment_to(appointment, AppointmentStatus.CHECKED_IN, by)
    now = timezone.now()
    record = undone or InfusionRecord(appointment=appointment, status="")
    record.order, record.protocol_version = order, version
    record.checked_in_at, record.checked_in_by = now, by
    record.full_clean(exclude=["status"])
    if undone is None:
        record.save()
    else:  # the database lets the check-in change only while it stands undone
        record.save(update_fields=["order", "protocol_version", "checked_in_at", "checked_in_by"])
    _transition(record, InfusionStatus.CHECKED_IN, by, now, reason)
    if escort_status or escort_name or escort_phone:
        _escort_entry(record, by, escort_status, escort_name, escort_phone, now)
    _comfort_rows(record, by, tuple(comfort_applied), now)
    return record


def _undone_record(appointment: Appointment) -> InfusionRecord | None:
    """The visit's record when its check-in was undone (reopened by this check-in); refused
    when the visit is already checked in."""
    record = InfusionRecord.objects.select_for_update().filter(appointment=appointment).first()
    if record is None:
        return None
    if record.status != InfusionStatus.CHECK_IN_UNDONE:
        raise ValidationError("This visit is already checked in.")
    return record


# Anything on the chart beyond the check-in itself (escort and comfort belong to it).
CHARTED = {
    "vitals": "vitals", "events": "events", "alerts": "alerts", "discharges": "a discharge",
    "corrections": "corrections",
}  # fmt: skip


def charted_problem(record: InfusionRecord) -> str | None:
    """What is charted beyond the check-in itself (escort and comfort are part of it)."""
    if record.status != InfusionStatus.CHECKED_IN:
        return (
            f"The chart has moved on (it is {record.get_status_display().lower()}): a check-in "
            "with something charted is not undone; correct the chart instead."
        )
    found = [label for name, label in CHARTED.items() if getattr(record, name).exists()]
    if found:
        return (
            f"Already charted for this visit: {', '.join(found)}. A check-in with something "
            "charted is not undone; correct the chart instead."
        )
    return None


@on_check_in_undo
def check_in_undo_chart(*, appointment: Appointment, by: User, reason: str) -> None:
    """The chart's part of ``scheduling.services.appointment_check_in_undo``: refused when
    anything is charted; else the record's own move to "check-in undone" with the reason."""
    record = InfusionRecord.objects.select_for_update().filter(appointment=appointment).first()
    if record is None or record.status == InfusionStatus.CHECK_IN_UNDONE:
        return
    require_role(by, *CHARTERS, doing="undo a check-in made at the chair")
    if problem := charted_problem(record):
        raise ValidationError({"status": problem})
    _transition(record, InfusionStatus.CHECK_IN_UNDONE, by, timezone.now(), reason)


@transaction.atomic
def escort_arrived(
    *, record: InfusionRecord, by: User, name: str = "", phone: str = ""
) -> EscortEntry:
    """The escort is here now: a new "here" entry (name and phone default to the last ones
    confirmed). Needed before discharge when the escort was on the way at check-in."""
    require_role(by, *CHARTERS, doing="confirm the escort")
    record = _lock(record)
    require_chartable(record)
    last = record.escort_entries.order_by("at", "pk").last()
    if last is not None and last.status == EscortStatus.PRESENT and not name.strip():
        raise ValidationError({"escort_status": "The escort is already recorded as here."})
    name = name.strip() or (last.name if last else "")
    phone = str(phone or "").strip() or (last.phone if last else "")
    return _escort_entry(record, by, EscortStatus.PRESENT, name, phone, timezone.now())


@transaction.atomic
def appointment_escort_confirm(
    *, appointment: Appointment, by: User, name: str, phone: str
) -> None:
    """Store the escort's name and phone on the appointment and mark them confirmed.

    Done chairside at check-in. The three escort fields only: no status change, so it needs
    no scheduling transition.
    """
    require_role(by, *CHARTERS, doing="confirm the escort")
    name, phone = name.strip(), str(phone or "").strip()
    errors = _escort_problems(name, phone, Appointment._meta.get_field("escort_name").max_length)
    if errors:
        raise ValidationError(errors)
    # save(), not update(): the change log (django-auditlog) records who confirmed what.
    appointment.escort_name, appointment.escort_phone = name, phone
    appointment.escort_confirmed = True
    appointment.save(update_fields=["escort_name", "escort_phone", "escort_confirmed"])


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
    confirm_unusual_weight: bool = False,
    comfort_applied: tuple[str, ...] = (),
) -> InfusionRecord:
    """The whole chairside check-in, all or nothing: the escort confirmed on the appointment,
    today's weight, the pre-infusion pain NRS, then the chart opened (``infusion_check_in``)
    with the escort entry and the comfort applied.

    Any ValidationError rolls everything back; its field names are the check-in form's
    (``weight_value``, ``weight_unit``, ``confirm_large_change``, ``pain_nrs``, ``escort_*``,
    ``comfort_applied``).
    """
    require_role(by, *CHARTERS, doing="chart infusions")
    require_check_in_day(appointment)
    if (
        InfusionRecord.objects.filter(appointment=appointment)
        .exclude(status=InfusionStatus.CHECK_IN_UNDONE)
        .exists()
    ):
        raise ValidationError("This visit is already checked in.")
    appointment_escort_confirm(appointment=appointment, by=by, name=escort_name, phone=escort_phone)
    try:
        weight_record(
            patient=appointment.patient, value=weight_value, unit=weight_unit, measured_by=by,
            confirm_large_change=confirm_large_change,
            confirm_unusual_weight=confirm_unusual_weight,
        )  # fmt: skip
    except ValidationError as error:
        names = {"value": "weight_value", "unit": "weight_unit", "measured_at": "weight_value",
                 "confirm_large_change": "confirm_large_change",
                 "confirm_unusual_weight": "confirm_unusual_weight"}  # fmt: skip
        raise _renamed(error, names, "weight_value") from error
    try:
        measure_record(
            patient=appointment.patient, kind="pain_nrs", answers={"score": pain_nrs},
            recorded_by=by, context="pre_infusion",
        )  # fmt: skip
    except ValidationError as error:
        raise _renamed(error, {}, "pain_nrs") from error
    status = EscortStatus.PRESENT if escort_present else EscortStatus.ON_THE_WAY
    return infusion_check_in(
        appointment=appointment, by=by, escort_status=status, escort_name=escort_name,
        escort_phone=escort_phone, comfort_applied=comfort_applied,
    )  # fmt: skip
