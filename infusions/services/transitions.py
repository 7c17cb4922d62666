"""The infusion record's status machine, shared by the charting services.

The record's status moves only through ``ALLOWED_TRANSITIONS``, each move an
``InfusionStatusEvent`` with who and the exact time (the database refuses a status column
that disagrees with the latest event). The appointment follows: check-in -> checked in,
start -> in chair, discharge -> completed (through the scheduling service).
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.models import User
from clinic.roles import CLINICAL
from scheduling.models import Appointment
from scheduling.services import appointment_transition

from ..models import InfusionRecord, InfusionStatus, InfusionStatusEvent, Phase
from ..models.charting import ALLOWED_TRANSITIONS
from ..timing import CLOCK_SKEW

CHARTERS = CLINICAL
# A status change dated further back than this is a late entry and says why.
LATE_AFTER = datetime.timedelta(minutes=15)
S = InfusionStatus


def phase_at(record: InfusionRecord, taken_at: datetime.datetime) -> str:
    """The phase of a reading taken at ``taken_at``, from the chart's times (not its status
    when the reading is typed: one typed in later, after the next step was charted, belongs
    where it was taken): before the start baseline, then during, from the end the end of
    infusion, from the move to recovery recovery."""
    if record.started_at is None or taken_at < record.started_at:
        return Phase.BASELINE
    if record.ended_at is None or taken_at < record.ended_at:
        return Phase.DURING
    recovery = record.statuses.filter(to_status=S.RECOVERY).values_list("at", flat=True).first()
    if recovery is None or taken_at < recovery:
        return Phase.END
    return Phase.RECOVERY


# An explicit phase (the API's) may say "end" for the reading taken as the infusion ends,
# just before "complete" is charted; anything else must be the phase of the reading's time.
PHASES_ALLOWED = {
    Phase.BASELINE: {Phase.BASELINE}, Phase.DURING: {Phase.DURING, Phase.END},
    Phase.END: {Phase.END}, Phase.RECOVERY: {Phase.RECOVERY},
}  # fmt: skip


# A chart in these states takes no new entry (vitals, the escort's arrival), and why.
NOT_CHARTABLE = {
    S.DISCHARGED: "The patient has been discharged; the chart is closed.",
    S.CHECK_IN_UNDONE: "This visit's check-in was undone: check the patient in first.",
    S.NOT_GIVEN: "This visit is charted as not given; the chart is closed.",
}


def require_chartable(record: InfusionRecord) -> None:
    """Refuse a new entry on a discharged, not-given or undone chart (``NOT_CHARTABLE``)."""
    if problem := NOT_CHARTABLE.get(record.status):
        raise ValidationError(problem)


def _lock(record: InfusionRecord) -> InfusionRecord:
    return InfusionRecord.objects.select_for_update().get(pk=record.pk)


def _transition(
    record: InfusionRecord, to_status: str, by: User, at: datetime.datetime, reason: str = "",
    late_reason: str = "",
) -> InfusionStatusEvent:  # fmt: skip
    from_status = ALLOWED_TRANSITIONS.check(record, to_status)
    event = InfusionStatusEvent(
        record=record, from_status=from_status, to_status=to_status, at=at, by=by,
        reason=reason.strip(), recorded_at=timezone.now(), late_reason=late_reason.strip(),
    )  # fmt: skip
    event.full_clean()
    event.save()
    record.status = to_status
    record.save(update_fields=["status"])
    return event


def happened_at(
    record: InfusionRecord, at: datetime.datetime | None, late_reason: str = ""
) -> tuple[datetime.datetime, str]:
    """(when, late reason) of a status change: now, or for an entry charted late (a chart
    left open from an earlier day, closed the next morning) the time it really happened,
    which the end time, the run time, the recovery minutes and the bill are taken from.
    Never in the future, never before the chart's latest status change, and more than
    ``LATE_AFTER`` ago only with a reason. The caller holds the record's lock."""
    now = timezone.now()
    if at is None:
        if (late_reason or "").strip():  # a reason typed, its time forgotten
            raise ValidationError({"at": "Enter when it happened: the reason is for a late entry."})
        return now, ""
    if at > now + CLOCK_SKEW:
        raise ValidationError({"at": "This cannot be charted as happening in the future."})
    last = record.statuses.order_by("at", "pk").last()
    if last is not None and at < last.at:
        when = record.appointment.location.local(last.at)
        raise ValidationError({"at": (
            f"The chart's latest change ({last.get_to_status_display()}, "
            f"{when:%m/%d/%Y %I:%M %p}) is later: a change cannot be dated before it."
        )})  # fmt: skip
    if now - at <= LATE_AFTER:
        return at, (late_reason or "").strip()  # a few minutes late: a reason is kept if given
    if not (late_reason or "").strip():
        raise ValidationError({"late_reason": (
            "This is a late entry: say why it is charted now (e.g. chart left open, "
            "discharged on paper)."
        )})  # fmt: skip
    return at, late_reason.strip()


def _appointment_to(appointment: Appointment, status: str, by: User) -> None:
    if appointment.status != status:
        appointment_transition(appointment=appointment, to_status=status, changed_by=by)
