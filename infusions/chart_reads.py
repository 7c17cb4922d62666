"""Reads of the infusion chart, scoped to the user's sites, with their joins inside."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from clinic.access import locations_for
from clinic.models import User

from .models import Alert, Correction, EventKind, InfusionRecord, VitalsReading
from .scoring import next_vitals_due
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


def nurse_board(user: User, appointments, now=None) -> list[dict]:
    """One row per appointment for the nurse board, in a fixed number of queries.

    The records come with their uncorrected readings and their unacknowledged alerts
    prefetched; the next reading due uses the same rule as the chair screen.
    """
    now = now or timezone.now()
    records = records_for(user).filter(appointment__in=[a.pk for a in appointments])
    records = records.prefetch_related(
        Prefetch(
            "vitals",
            queryset=VitalsReading.objects.filter(corrections__isnull=True),
            to_attr="current_vitals",
        ),
        Prefetch(
            "alerts",
            queryset=Alert.objects.filter(acknowledgement__isnull=True),
            to_attr="open_alert_list",
        ),
    )
    by_appointment = {record.appointment_id: record for record in records}
    rows = []
    for appointment in appointments:
        record = by_appointment.get(appointment.pk)
        row = {"appointment": appointment, "record": record, "minutes_in": None,
               "due_at": None, "overdue": False, "open_alerts": 0}  # fmt: skip
        if record is not None:
            if record.started_at:
                until = record.ended_at or now
                row["minutes_in"] = int((until - record.started_at).total_seconds() // 60)
            row["due_at"], row["overdue"] = next_vitals_due(record, record.current_vitals, now)
            row["open_alerts"] = len(record.open_alert_list)
        rows.append(row)
    return rows


def print_chart(record: InfusionRecord) -> dict:
    """The chart, with who made each correction and acknowledgement, for the printed record."""
    data = chart(record)
    corrections = {
        c.pk: c for c in Correction.objects.filter(record=record).select_related("by")
    }  # fmt: skip
    for entry in [*data["readings"], *data["events"]]:
        if entry.correction is not None:
            entry.correction = corrections.get(entry.correction.pk, entry.correction)
    data["alerts"] = list(
        record.alerts.select_related("reading", "acknowledgement__by", "acknowledgement__physician")
    )
    if data["discharge"] is not None:
        data["discharge"] = (
            type(data["discharge"]).objects.select_related("by").get(pk=data["discharge"].pk)
        )
    return data
