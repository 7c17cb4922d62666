"""Not given: a patient checked in whose infusion does not start today (blood pressure above
the protocol's limit at the pre-assessment, no escort to drive them home, the patient left).
The chart closes with the reason (status "not given", final) and the appointment is cancelled
with it, so the chair frees and the course shows a session to make up. A chart left open
from an earlier day's never-started visit closes the same way, with the time it happened.

Drug drawn for the visit must be accounted for first (wasted with a witness on the dose
panel, 0 mg given): a controlled substance never leaves the log unexplained.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction
from django.db.models import Sum

from clinic.access import require_role
from clinic.errors import ConflictError
from clinic.models import User
from clinic.transitions import IllegalTransition
from scheduling.hooks import on_checked_in_cancel
from scheduling.models import Appointment
from scheduling.services import appointment_not_given

from ..models import DrugLogEntry, EntryKind, InfusionRecord
from ..models.charting import NOT_STARTED
from .transitions import CHARTERS, S, _lock, _transition, happened_at

LOCK_NOT_AVAILABLE = "55P03"  # Postgres: a row locked FOR UPDATE NOWAIT by another


def _drawn_not_accounted(appointment: Appointment) -> Decimal:
    """mg drawn for the visit's orders that no given/wasted entry accounts for."""
    entries = DrugLogEntry.objects.filter(order__appointment=appointment)
    accounted = entries.filter(kind__in=[EntryKind.ADMINISTERED, EntryKind.WASTED])
    drawn = entries.filter(kind=EntryKind.DRAWN).exclude(order__in=accounted.values("order"))
    return drawn.aggregate(mg=Sum("mg"))["mg"] or Decimal("0")


def _close(record: InfusionRecord, by: User, reason: str, at=None, late_reason: str = ""):
    """The chart's move to "not given" (the caller holds the record's lock)."""
    if record.status not in NOT_STARTED:
        current = S(record.status).label.lower()
        if record.status == S.NOT_GIVEN:
            problem = "This visit is already charted as not given."
        else:
            problem = (
                f"The infusion is {current}: once started it is not 'not given'; stop it "
                "early instead, with the mg that went in."
            )
        raise IllegalTransition({"status": problem})
    if (drawn := _drawn_not_accounted(record.appointment)) > 0:
        raise ValidationError({"status": (
            f"{drawn.normalize():f} mg of ketamine was drawn for this visit and is not "
            "accounted for: on the dose panel, account for it as 0 mg given and "
            f"{drawn.normalize():f} mg wasted, with a witness, first."
        )})  # fmt: skip
    at, late_reason = happened_at(record, at, late_reason)
    _transition(record, S.NOT_GIVEN, by, at, reason, late_reason)


def infusion_not_given(
    *, record: InfusionRecord, by: User, reason: str, at=None, late_reason: str = ""
) -> InfusionRecord:
    """Chart that the infusion is not given today, with the reason, and cancel the visit.
    ``at``/``late_reason``: when it was decided, for a chart closed late
    (``transitions.happened_at``)."""
    require_role(by, *CHARTERS, doing="chart an infusion as not given")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the infusion is not given today."})
    with transaction.atomic():
        # The visit first, then the chart: the order the desk's cancel takes them in.
        Appointment.objects.select_for_update().get(pk=record.appointment_id)
        record = _lock(record)
        _close(record, by, reason, at, late_reason)
        appointment_not_given(appointment=record.appointment, changed_by=by, reason=reason)
    return record


@on_checked_in_cancel
def cancel_closes_chart(*, appointment: Appointment, by: User, reason: str) -> None:
    """The front desk cancels a checked-in visit (the patient left before the infusion): its
    chart, when open and not started, closes as not given with the desk's reason; refused
    while drug drawn for it is not accounted for. Nothing to do once the chart is closed
    (the nurse charted "not given": ``infusion_not_given`` cancels the visit itself).

    The chart is locked without waiting: a nurse charting on it right now (a start takes the
    chart, then the visit) would otherwise wait on the visit this cancel holds, a deadlock;
    the desk is told to try again instead (409)."""
    try:
        with transaction.atomic():
            records = InfusionRecord.objects.select_for_update(nowait=True)
            record = records.filter(appointment=appointment).first()
    except OperationalError as error:
        if getattr(error.__cause__, "pgcode", None) != LOCK_NOT_AVAILABLE:
            raise
        busy = (
            "The nurse is charting this visit at the chair right now: try again in a "
            "moment, or ask the nurse to chart it as not given."
        )
        raise ConflictError({"status": busy}) from None
    if record is None or record.status not in NOT_STARTED:
        return
    _close(record, by, f"Visit cancelled: {reason}")
