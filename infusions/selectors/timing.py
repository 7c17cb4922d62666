"""What the chair screen, the printable record and the physician's home show about time:
run time (pauses excluded), the refusals still standing, the early stop and its review, and
the physician's discharge overrides, and the time rules' refusals themselves ("Complete" only
after the planned run time, discharge only after the minimum recovery and a late reading),
which ``services.timing`` enforces. Reads only."""

import datetime

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from clinic.access import locations_for
from clinic.models import User
from clinic.roles import Role

from .. import timing
from ..models import EarlyStopReview, InfusionRecord, InfusionStatus, InfusionStatusEvent, Phase

S = InfusionStatus


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
    local = record.appointment.location.local(ready_at)
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


def chair_timing(
    record: InfusionRecord, user: User, due_at=None, now: datetime.datetime | None = None
) -> dict:
    now = now or timezone.now()
    version = record.protocol_version
    run = record_run_seconds(record, now) if record.started_at else None
    statuses = record.statuses.all()  # one read, or none when the chart prefetched them
    stop = next((event for event in statuses if event.to_status == S.STOPPED), None)
    overrides = list(record.discharge_overrides.select_related("by"))
    discharged = next((event for event in statuses if event.to_status == S.DISCHARGED), None)
    recovered = None
    if record.ended_at:
        recovered = ((discharged.at if discharged else now) - record.ended_at).total_seconds()
    short = timing.completion_shortfall_seconds(
        run or 0, version.infusion_minutes, version.completion_tolerance_minutes
    )
    return {
        "run_seconds": run,
        "run_text": timing.format_elapsed(run) if run is not None else "",
        "planned_minutes": version.infusion_minutes,
        "complete_blocker": completion_blocker(record, now) if record.status == S.RUNNING else "",
        "complete_enable_at": now + datetime.timedelta(seconds=short)
        if record.status == S.RUNNING else None,
        "discharge_blocker": discharge_blocker(record, now) if record.status == S.RECOVERY else "",
        "recovery_text": timing.format_elapsed(recovered) if recovered is not None else "",
        "min_recovery_minutes": version.min_recovery_minutes,
        "early_stop": stop,
        "early_stop_reviews": list(record.early_stop_reviews.select_related("by")),
        "discharge_overrides": overrides,
        "recovery_short": recovered is not None and discharged is not None
        and recovered < version.min_recovery_minutes * 60,
        "may_override": user.has_role(Role.PHYSICIAN),
        "overdue_at": timing.vitals_overdue_at(
            status=record.status, due_at=due_at, ended_at=record.ended_at,
            interval_minutes=version.vitals_interval_minutes,
        ),
    }  # fmt: skip


# What a physician reviews on their home: the infusion not given as planned.
TO_REVIEW = (S.STOPPED, S.NOT_GIVEN)


def early_stops_awaiting_review(user: User) -> QuerySet[InfusionRecord]:
    """Infusions stopped early, and visits charted not given (a patient sent home before the
    start: blood pressure too high, no escort), at the physician's sites that no physician
    has reviewed; each with ``not_given_reason``."""
    reviewed = EarlyStopReview.objects.filter(record=OuterRef("pk"))
    why = InfusionStatusEvent.objects.filter(record=OuterRef("pk"), to_status=S.NOT_GIVEN)
    return (
        InfusionRecord.objects.filter(
            appointment__location__in=locations_for(user), statuses__to_status__in=TO_REVIEW
        )
        .exclude(Exists(reviewed))
        .annotate(not_given_reason=Subquery(why.values("reason")[:1]))
        .select_related("appointment__patient", "appointment__location")
        .order_by("appointment__starts_at", "pk")
        .distinct()
    )
