"""The infusion running: start (baseline vitals and a double-checked order first), pause,
resume and stop with a reason, and side effects with severity and intervention. Each is an
append-only ``InfusionEvent`` besides the status move."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.access import require_role
from clinic.models import User
from clinic.transitions import IllegalTransition
from scheduling.models import AppointmentStatus
from scheduling.services import visit_day

from ..models import EventKind, InfusionEvent, InfusionRecord, Phase, SideEffect
from .checks import infusion_may_start
from .transitions import CHARTERS, S, _appointment_to, _lock, _transition, happened_at


@transaction.atomic
def infusion_start(*, record: InfusionRecord, by: User) -> InfusionRecord:
    """Start: needs a baseline reading and an order that may start (signed, double-checked)."""
    require_role(by, *CHARTERS, doing="start infusions")
    record = _lock(record)
    if record.status not in (S.PRE_ASSESSMENT, S.READY):
        current = S(record.status).label.lower()
        raise IllegalTransition(
            {"status": f"An infusion that is {current} cannot start; resume a paused one."}
        )
    if (day := visit_day(record.appointment)) < record.appointment.location.today():
        raise ValidationError({"status": (
            f"This visit was on {day:%A %m/%d/%Y}: an infusion is not started on a later day. "
            "Chart it as not given, with the reason."
        )})  # fmt: skip
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
        raise IllegalTransition({"status": "Only a paused infusion can resume."})
    status = _transition(record, S.RUNNING, by, timezone.now(), _reason(reason, "resumed"))
    return _event(record, EventKind.RESUME, by, reason=status.reason, occurred_at=status.at)


@transaction.atomic
def infusion_stop(
    *, record: InfusionRecord, by: User, reason: str, at=None, late_reason: str = ""
) -> InfusionEvent:
    """Stop early (not completed): the end time is now, or when it happened for an entry
    charted late (``transitions.happened_at``)."""
    require_role(by, *CHARTERS, doing="stop infusions")
    record = _lock(record)
    at, late_reason = happened_at(record, at, late_reason)
    status = _transition(record, S.STOPPED, by, at, _reason(reason, "stopped"), late_reason)
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
    if record.status == S.CHECK_IN_UNDONE:
        raise ValidationError("This visit's check-in was undone: check the patient in first.")
    if intervention_drug and not intervention_dose:
        raise ValidationError({"intervention_dose": "Record the dose of the drug given."})
    return _event(
        _lock(record), EventKind.SIDE_EFFECT, by, side_effect=side_effect, severity=severity,
        reason=note.strip(), intervention=intervention.strip(),
        intervention_drug=intervention_drug.strip(), intervention_dose=intervention_dose.strip(),
        cadss_items=cadss_items or None,
    )  # fmt: skip
