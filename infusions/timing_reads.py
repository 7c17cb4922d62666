"""What the chair screen, the printable record and the physician's home show about time:
run time (pauses excluded), the refusals still standing, the early stop and its review, and
the physician's discharge overrides. Reads only; the rules are in ``services.timing``."""

import datetime

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from clinic.access import locations_for
from clinic.models import User
from clinic.roles import Role

from . import timing
from .models import EarlyStopReview, InfusionRecord, InfusionStatus
from .services import completion_blocker, discharge_blocker, record_run_seconds

S = InfusionStatus


def chair_timing(
    record: InfusionRecord, user: User, due_at=None, now: datetime.datetime | None = None
) -> dict:
    now = now or timezone.now()
    version = record.protocol_version
    run = record_run_seconds(record, now) if record.started_at else None
    stop = record.statuses.filter(to_status=S.STOPPED).select_related("by").first()
    overrides = list(record.discharge_overrides.select_related("by"))
    discharged = record.statuses.filter(to_status=S.DISCHARGED).first()
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


def early_stops_awaiting_review(user: User) -> QuerySet[InfusionRecord]:
    """Infusions stopped early at the physician's sites that no physician has reviewed."""
    reviewed = EarlyStopReview.objects.filter(record=OuterRef("pk"))
    return (
        InfusionRecord.objects.filter(
            appointment__location__in=locations_for(user), statuses__to_status=S.STOPPED
        )
        .exclude(Exists(reviewed))
        .select_related("appointment__patient", "appointment__location")
        .order_by("ended_at")
        .distinct()
    )
