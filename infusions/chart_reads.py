"""Reads of the infusion chart, scoped to the user's sites, with their joins inside."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from clinic.access import locations_for
from clinic.models import User

from .models import Alert, EventKind, InfusionRecord, VitalsReading
from .services import vitals_due

TREND_WIDTH, TREND_HEIGHT = 700, 160
TREND_MIN, TREND_MAX = 30, 200  # mmHg / bpm shown on the trend


def records_for(user: User) -> QuerySet[InfusionRecord]:
    return InfusionRecord.objects.filter(
        appointment__location__in=locations_for(user)
    ).select_related(
        "appointment__patient", "appointment__chair", "appointment__location", "order",
        "protocol_version__protocol",
    )  # fmt: skip


def record_for(user: User, pk) -> InfusionRecord:
    return get_object_or_404(records_for(user), pk=pk)


def vitals_for(user: User) -> QuerySet[VitalsReading]:
    return VitalsReading.objects.filter(record__in=records_for(user)).select_related(
        "taken_by"
    ).prefetch_related("alerts", "corrections")  # fmt: skip


def alerts_for(user: User) -> QuerySet[Alert]:
    return Alert.objects.filter(record__in=records_for(user)).select_related(
        "acknowledgement__by", "acknowledgement__physician"
    )


def _points(readings, attribute: str) -> str:
    if not readings:
        return ""
    first = readings[0].taken_at
    span = (readings[-1].taken_at - first).total_seconds() or 1
    coords = []
    for reading in readings:
        x = (reading.taken_at - first).total_seconds() / span * TREND_WIDTH
        value = min(max(getattr(reading, attribute), TREND_MIN), TREND_MAX)
        y = TREND_HEIGHT - (value - TREND_MIN) / (TREND_MAX - TREND_MIN) * TREND_HEIGHT
        coords.append(f"{x:.0f},{y:.0f}")
    return " ".join(coords)


def chart(record: InfusionRecord) -> dict:
    """Everything the chair screen and the printable record show."""
    readings = list(
        record.vitals.select_related("taken_by").prefetch_related("corrections", "alerts")
    )
    for reading in readings:
        reading.correction = next(iter(reading.corrections.all()), None)
    current = [reading for reading in readings if reading.correction is None]
    events = list(
        record.events.select_related("by").prefetch_related(
            Prefetch("corrections", to_attr="correction_list")
        )
    )
    for event in events:
        event.correction = next(iter(event.correction_list), None)
    alerts = list(record.alerts.select_related("reading").prefetch_related("acknowledgement"))
    open_alerts = [a for a in alerts if not hasattr_ack(a)]
    due_at, overdue = vitals_due(record, timezone.now())
    return {
        "record": record,
        "readings": readings,
        "latest": current[-1] if current else None,
        "events": events,
        "side_effects": [e for e in events if e.kind == EventKind.SIDE_EFFECT],
        "alerts": alerts,
        "open_alerts": open_alerts,
        "due_at": due_at,
        "overdue": overdue,
        "statuses": list(record.statuses.select_related("by")),
        "trend": {
            "width": TREND_WIDTH,
            "height": TREND_HEIGHT,
            "systolic": _points(current, "systolic_mmhg"),
            "diastolic": _points(current, "diastolic_mmhg"),
            "pulse": _points(current, "pulse_bpm"),
        },  # fmt: skip
        "discharge": record.discharge if _has_discharge(record) else None,
    }


def hasattr_ack(alert: Alert) -> bool:
    try:
        return alert.acknowledgement is not None
    except Alert.acknowledgement.RelatedObjectDoesNotExist:
        return False


def _has_discharge(record: InfusionRecord) -> bool:
    try:
        return record.discharge is not None
    except InfusionRecord.discharge.RelatedObjectDoesNotExist:
        return False
