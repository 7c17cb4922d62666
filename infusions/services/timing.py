"""The time rules of the chair: "Complete" only after the planned run time (pauses
excluded, less the version's tolerance), discharge only after the version's minimum recovery
and a recovery reading taken after it (unless a physician overrides with a reason), and a
physician's review of every early stop. The arithmetic is in ``infusions.timing``."""

import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.access import require_role
from clinic.models import User
from clinic.roles import Role

from .. import timing
from ..models import DischargeOverride, EarlyStopReview, InfusionRecord, Phase
from .transitions import S, _lock


def record_run_seconds(record: InfusionRecord, now: datetime.datetime | None = None) -> int:
    """Seconds the infusion has run (pauses excluded), from its status history."""
    statuses = sorted(record.statuses.all(), key=lambda event: (event.at, event.pk))
    return timing.run_seconds([(e.to_status, e.at) for e in statuses], now or timezone.now())


def completion_blocker(record: InfusionRecord, now: datetime.datetime | None = None) -> str:
    """Why "Complete" is refused now ("" when it is allowed)."""
    version = record.protocol_version
    run = record_run_seconds(record, now)
    short = timing.completion_shortfall_seconds(
        run, version.infusion_minutes, version.completion_tolerance_minutes
    )
    if not short:
        return ""
    return (
        f"The infusion has run {timing.format_elapsed(run)} of its planned "
        f"{version.infusion_minutes} min (pauses excluded): {timing.format_elapsed(short)} to "
        "go. To end it now, use \u201cStop early\u201d with a reason; the physician is told."
    )


def discharge_blocker(record: InfusionRecord, now: datetime.datetime | None = None) -> str:
    """Why discharge is refused for time ("" when recovery has run its time or a physician
    has overridden)."""
    if record.ended_at is None or list(record.discharge_overrides.all()):
        return ""
    now = now or timezone.now()
    minimum = record.protocol_version.min_recovery_minutes
    ready_at = timing.recovery_ready_at(record.ended_at, minimum)
    local = ready_at.astimezone(ZoneInfo(record.appointment.location.time_zone))
    if now < ready_at:
        return (
            f"Recovery has lasted {timing.format_elapsed(now - record.ended_at)} of the "
            f"protocol's minimum {minimum} min: discharge from {local:%H:%M}, after a "
            "recovery reading, or a physician records an override."
        )
    late_reading = record.vitals.filter(
        phase=Phase.RECOVERY, taken_at__gte=ready_at, corrections__isnull=True
    ).exists()
    if not late_reading:
        return (
            f"Take a recovery reading (vitals) now: the last one before discharge must be from "
            f"{local:%H:%M} or later."
        )
    return ""


@transaction.atomic
def discharge_override_record(*, record: InfusionRecord, by: User, reason: str):
    """A physician, by name, allows discharge before the minimum recovery time."""
    if not (by.is_active and by.has_role(Role.PHYSICIAN)):
        raise PermissionDenied("Only a physician may override the minimum recovery time.")
    record = _lock(record)
    if record.status not in (S.STOPPED, S.COMPLETED, S.RECOVERY):
        raise ValidationError({"status": "Override recovery only after the infusion ended."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the patient may leave early."})
    override = DischargeOverride(record=record, reason=reason.strip(), at=timezone.now(), by=by)
    override.full_clean()
    override.save()
    return override


@transaction.atomic
def early_stop_review(*, record: InfusionRecord, by: User, note: str = "") -> EarlyStopReview:
    """A physician marks an early stop as seen (it leaves the physician's home page)."""
    require_role(by, Role.PHYSICIAN, doing="review early stops")
    record = _lock(record)
    if not record.statuses.filter(to_status=S.STOPPED).exists():
        raise ValidationError({"record": "This infusion was not stopped early."})
    review = EarlyStopReview(record=record, note=note.strip(), at=timezone.now(), by=by)
    review.full_clean()
    review.save()
    return review
