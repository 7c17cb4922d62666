"""Reads of the infusion chart, scoped to the user's sites, with their joins inside."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.utils import timezone

from clinic.access import locations_for
from clinic.models import User
from patients.models import Patient
from patients.selectors import measure_standing

from ..models import (
    Alert,
    AlertAcknowledgement,
    ComfortItem,
    Correction,
    Discharge,
    EventKind,
    InfusionRecord,
    InfusionStatus,
    InfusionStatusEvent,
    VitalsReading,
)
from ..models.charting import OPEN_CHART
from ..scoring import next_vitals_due
from ..timing import format_elapsed, vitals_overdue_at

CORRECTIONS = Prefetch("corrections", queryset=Correction.objects.select_related("by"))
ACKS = Prefetch(
    "acknowledgements",
    queryset=AlertAcknowledgement.objects.select_related("by", "physician"),
)

TREND_WIDTH, TREND_HEIGHT = 700, 160
TREND_MIN, TREND_MAX = 30, 200  # mmHg / bpm shown on the trend


def records_for(user: User) -> QuerySet[InfusionRecord]:
    return InfusionRecord.objects.filter(
        appointment__location__in=locations_for(user)
    ).select_related(
        "appointment__patient", "appointment__chair__location", "appointment__location",
        "order", "protocol_version__protocol",
    )  # fmt: skip


def record_for(user: User, pk) -> InfusionRecord:
    return get_object_or_404(records_for(user), pk=pk)


def vitals_for(user: User) -> QuerySet[VitalsReading]:
    return VitalsReading.objects.filter(record__in=records_for(user)).select_related(
        "taken_by"
    ).prefetch_related("alerts__acknowledgements", "corrections")  # fmt: skip


def alerts_for(user: User) -> QuerySet[Alert]:
    return Alert.objects.filter(record__in=records_for(user)).prefetch_related(ACKS)


def discharge_history(record: InfusionRecord) -> tuple[list[Discharge], Discharge | None]:
    """(every discharge entry oldest first, each with ``corrected``; the standing one)."""
    entries = list(
        record.discharges.select_related("by", "pain_measure").order_by("recorded_at", "pk")
    )
    corrected = {entry.corrects_id for entry in entries}
    for entry in entries:
        entry.corrected = entry.pk in corrected
    standing = [entry for entry in entries if not entry.corrected]
    if standing:
        # The pain score may since have been corrected on the patient's measures tab.
        latest = standing[-1]
        pain = measure_standing(latest.pain_measure)
        latest.pain_corrected_to = pain if pain.pk != latest.pain_measure_id else None
    return entries, standing[-1] if standing else None


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
    alerts = list(record.alerts.select_related("reading").prefetch_related(ACKS, "breaches"))
    alerted = {alert.reading_id for alert in alerts}
    readings = list(record.vitals.select_related("taken_by").prefetch_related(CORRECTIONS))
    for reading in readings:
        reading.correction = next(iter(reading.corrections.all()), None)
        reading.alerted = reading.pk in alerted
    current = [reading for reading in readings if reading.correction is None]
    events = list(
        record.events.select_related("by").prefetch_related(
            Prefetch("corrections", Correction.objects.select_related("by"), "correction_list")
        )
    )
    for event in events:
        event.correction = next(iter(event.correction_list), None)
    open_alerts = [a for a in alerts if a.acknowledgement is None]
    due_at, overdue = next_vitals_due(record, current, timezone.now())
    discharges, discharge = discharge_history(record)
    escort_entries = list(record.escort_entries.select_related("by"))
    # Held on the record: the run time and the early stop (selectors.timing) read them too.
    prefetch_related_objects(
        [record], Prefetch("statuses", InfusionStatusEvent.objects.select_related("by"))
    )
    statuses = list(record.statuses.all())
    # Clock times for a chart of one day; with the date for one that spans days (a chart left
    # open past midnight), or Saturday's baseline reads as if after Sunday's readings.
    moments = [reading.taken_at for reading in readings] + [status.at for status in statuses]
    if record.status != InfusionStatus.DISCHARGED:
        moments.append(timezone.now())  # an open chart is read against today
    clock = "m/d H:i" if len({timezone.localtime(m).date() for m in moments}) > 1 else "H:i"
    return {
        "record": record,
        "clock": clock,
        "clock_seconds": f"{clock}:s",
        "readings": readings,
        "latest": current[-1] if current else None,
        "events": events,
        "side_effects": [e for e in events if e.kind == EventKind.SIDE_EFFECT],
        "alerts": alerts,
        "open_alerts": open_alerts,
        "acknowledged_alerts": [a for a in alerts if a.acknowledgement is not None],
        "due_at": due_at,
        "overdue": overdue,
        "statuses": statuses,
        "trend": {
            "width": TREND_WIDTH,
            "height": TREND_HEIGHT,
            "systolic": _points(current, "systolic_mmhg"),
            "diastolic": _points(current, "diastolic_mmhg"),
            "pulse": _points(current, "pulse_bpm"),
        },  # fmt: skip
        "discharges": discharges,
        "discharge": discharge,
        "escort_entries": escort_entries,
        "escort": escort_entries[-1] if escort_entries else None,
        "comfort_applied": list(record.comfort_applied.all()),
        "comfort_offered": comfort_offered(record.appointment.patient),
    }


def nurse_board(user: User, appointments, now=None) -> list[dict]:
    """One row per appointment for the nurse board, in a fixed number of queries.

    The records come with their uncorrected readings and their unacknowledged alerts
    prefetched; the next reading due uses the same rule as the chair screen.
    """
    now = now or timezone.now()
    records = (
        records_for(user)
        .filter(appointment__in=[a.pk for a in appointments])
        .exclude(status=InfusionStatus.CHECK_IN_UNDONE)
    )
    records = records.prefetch_related(
        Prefetch(
            "vitals",
            queryset=VitalsReading.objects.filter(corrections__isnull=True).annotate(
                alerted=Exists(Alert.objects.filter(reading=OuterRef("pk")))
            ),
            to_attr="current_vitals",
        ),
        Prefetch(
            "alerts",
            queryset=Alert.objects.filter(acknowledgements__isnull=True),
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
                row["elapsed"] = format_elapsed(until - record.started_at)
            row["due_at"], row["overdue"] = next_vitals_due(record, record.current_vitals, now)
            row["overdue_at"] = vitals_overdue_at(
                status=record.status,
                due_at=row["due_at"],
                ended_at=record.ended_at,
                interval_minutes=record.protocol_version.vitals_interval_minutes,
            )
            row["open_alerts"] = len(record.open_alert_list)
        rows.append(row)
    return rows


def left_open_for(user: User) -> QuerySet[InfusionRecord]:
    """Charts of visits on an earlier day (each site's own today) never closed: an infusion
    nobody completed or stopped, a patient in recovery nobody discharged, a visit checked in,
    never started and not charted as not given. Today's board no longer shows them, yet
    the drug log's given mg, the visit's charge and the discharge wait on them. Oldest
    first."""
    earlier = Q()
    for location in locations_for(user):
        today_starts, _ = location.day_bounds(location.today())
        earlier |= Q(appointment__location=location, appointment__starts_at__lt=today_starts)
    if not earlier:
        return records_for(user).none()
    return (
        records_for(user)
        .filter(earlier, status__in=OPEN_CHART)
        .order_by("appointment__starts_at", "pk")
    )


def print_chart(record: InfusionRecord) -> dict:
    """The chart for the printed record: the same reads (who made each correction and
    acknowledgement included)."""
    return chart(record)


def open_alerts_for(user: User) -> list[Alert]:
    """The unacknowledged alerts at the user's sites, oldest first (physician home, nurse
    home): what is out of range, on which chair, since when."""
    return list(
        Alert.objects.filter(
            record__in=records_for(user), acknowledgements__isnull=True
        ).select_related(
            "record__appointment__patient", "record__appointment__chair",
            "record__appointment__location",
        ).prefetch_related("breaches").order_by("raised_at", "pk")
    )  # fmt: skip


def comfort_offered(patient: Patient) -> list[tuple[str, str]]:
    """The patient's comfort preferences as (item, label): what the check-in shows."""
    offered = [
        (item, label)
        for item, label in ComfortItem.choices
        if item != ComfortItem.NOTES and getattr(patient, f"comfort_{item}", False)
    ]
    if patient.comfort_notes:
        offered.append((ComfortItem.NOTES.value, patient.comfort_notes))
    return offered
