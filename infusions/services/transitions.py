"""The infusion record's status machine, shared by the charting services.

The record's status moves only through ``ALLOWED_TRANSITIONS``, each move an
``InfusionStatusEvent`` with who and the exact time (the database refuses a status column
that disagrees with the latest event). The appointment follows: check-in -> checked in,
start -> in chair, discharge -> completed (through the scheduling service).
"""

import datetime

from clinic.models import User
from clinic.roles import CLINICAL
from scheduling.models import Appointment
from scheduling.services import appointment_transition

from ..models import InfusionRecord, InfusionStatus, InfusionStatusEvent, Phase
from ..models.charting import ALLOWED_TRANSITIONS

CHARTERS = CLINICAL
S = InfusionStatus
PHASE_FOR_STATUS = {
    S.CHECKED_IN: Phase.BASELINE, S.PRE_ASSESSMENT: Phase.BASELINE, S.READY: Phase.BASELINE,
    S.RUNNING: Phase.DURING, S.PAUSED: Phase.DURING, S.STOPPED: Phase.END,
    S.COMPLETED: Phase.END, S.RECOVERY: Phase.RECOVERY,
}  # fmt: skip


def _lock(record: InfusionRecord) -> InfusionRecord:
    return InfusionRecord.objects.select_for_update().get(pk=record.pk)


def _transition(
    record: InfusionRecord, to_status: str, by: User, at: datetime.datetime, reason: str = ""
) -> InfusionStatusEvent:
    from_status = ALLOWED_TRANSITIONS.check(record, to_status)
    event = InfusionStatusEvent(
        record=record, from_status=from_status, to_status=to_status, at=at, by=by,
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
