"""Chairside charting: the infusion record of one appointment, from check-in to discharge.

The ``InfusionRecord`` row holds the current status and the exact start and end times; the
services change it only through ``ALLOWED_TRANSITIONS`` and write an ``InfusionStatusEvent``
per change. Every clinical entry (vitals, alerts, acknowledgements, events, discharge,
corrections, status events, escort and comfort entries) is append-only in the database. A
mistaken vitals reading or event is corrected by a ``Correction`` row pointing at it; a
mistaken acknowledgement or discharge by a new acknowledgement or discharge that ``corrects``
it, with a reason. The chart shows the corrected entry struck through.
"""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q

from clinic.append_only import append_only_triggers, correction_has_reason
from clinic.transitions import NEW, Transitions
from protocols.models import ProtocolVersion

from .. import scoring
from .orders import DoseOrder

STAFF = settings.AUTH_USER_MODEL


class InfusionStatus(models.TextChoices):
    CHECKED_IN = "checked_in", "Checked in"
    PRE_ASSESSMENT = "pre_assessment", "Pre-assessment"
    READY = "ready", "Ready to start"
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    STOPPED = "stopped", "Stopped early"
    COMPLETED = "completed", "Completed"
    RECOVERY = "recovery", "Recovery"
    DISCHARGED = "discharged", "Discharged"
    # A check-in made by mistake with nothing charted, undone with a reason; the visit's
    # real check-in later reopens the same record (one record per appointment).
    CHECK_IN_UNDONE = "check_in_undone", "Check-in undone"
    # Checked in, never started, and the chart closed with the reason (blood pressure above
    # the protocol's limit at the pre-assessment, no escort, the patient left): final.
    NOT_GIVEN = "not_given", "Not given"


S = InfusionStatus
# Started, not yet discharged: a dose went in (or is going in) and the chart is not closed.
STARTED_NOT_DISCHARGED = (S.RUNNING, S.PAUSED, S.STOPPED, S.COMPLETED, S.RECOVERY)
# Checked in, not started: closed by the start, by "not given", or by undoing the check-in.
NOT_STARTED = (S.CHECKED_IN, S.PRE_ASSESSMENT, S.READY)
# A chart still open: a visit left so from an earlier day is on the nurse home.
OPEN_CHART = NOT_STARTED + STARTED_NOT_DISCHARGED
ALLOWED_TRANSITIONS = Transitions(
    {
        NEW: {S.CHECKED_IN},
        S.CHECKED_IN: {S.PRE_ASSESSMENT, S.CHECK_IN_UNDONE, S.NOT_GIVEN},
        S.CHECK_IN_UNDONE: {S.CHECKED_IN},
        S.PRE_ASSESSMENT: {S.READY, S.NOT_GIVEN},
        S.READY: {S.RUNNING, S.NOT_GIVEN},
        S.RUNNING: {S.PAUSED, S.STOPPED, S.COMPLETED},
        S.PAUSED: {S.RUNNING, S.STOPPED},
        S.STOPPED: {S.RECOVERY},
        S.COMPLETED: {S.RECOVERY},
        S.RECOVERY: {S.DISCHARGED},
        S.DISCHARGED: set(),
        S.NOT_GIVEN: set(),
    },
    what="An infusion",
    labels=S,
)


# Why the record's status and times are columns at all, and how they stay honest: the
# status history (``InfusionStatusEvent``) is the append-only truth; the record keeps the
# current status and the start and end times as columns because every screen, the nurse
# board and the billing export read them, and deriving them per row would cost a subquery
# each. So the database itself holds the columns to the history (see ``InfusionRecord``).
RECORD_INTEGRITY_SQL = """
IF OLD.appointment_id IS DISTINCT FROM NEW.appointment_id
   OR ((OLD.checked_in_at IS DISTINCT FROM NEW.checked_in_at
        OR OLD.checked_in_by_id IS DISTINCT FROM NEW.checked_in_by_id)
       AND OLD.status IS DISTINCT FROM 'check_in_undone') THEN
  RAISE EXCEPTION 'infusion record %: the appointment and check-in never change', OLD.id;
END IF;
IF OLD.started_at IS NOT NULL AND (
     OLD.started_at IS DISTINCT FROM NEW.started_at
     OR OLD.order_id IS DISTINCT FROM NEW.order_id
     OR OLD.protocol_version_id IS DISTINCT FROM NEW.protocol_version_id) THEN
  RAISE EXCEPTION 'infusion record %: started_at, order and protocol version are set once', OLD.id;
END IF;
IF OLD.ended_at IS NOT NULL AND OLD.ended_at IS DISTINCT FROM NEW.ended_at THEN
  RAISE EXCEPTION 'infusion record %: ended_at is set once', OLD.id;
END IF;
IF OLD.administered_mg IS NOT NULL AND OLD.administered_mg IS DISTINCT FROM NEW.administered_mg
THEN
  RAISE EXCEPTION 'infusion record %: administered_mg is set once', OLD.id;
END IF;
IF NEW.status IS DISTINCT FROM OLD.status THEN
  SELECT to_status INTO latest FROM infusions_infusionstatusevent
   WHERE record_id = NEW.id ORDER BY id DESC LIMIT 1;
  IF NEW.status IS DISTINCT FROM latest THEN
    RAISE EXCEPTION 'infusion record %: status % is not the last status event (%)',
      OLD.id, NEW.status, latest;
  END IF;
END IF;
IF NEW.started_at IS DISTINCT FROM OLD.started_at THEN
  SELECT min(at) INTO moment FROM infusions_infusionstatusevent
   WHERE record_id = NEW.id AND to_status = 'running';
  IF NEW.started_at IS DISTINCT FROM moment THEN
    RAISE EXCEPTION 'infusion record %: started_at must be the first move to running', OLD.id;
  END IF;
END IF;
IF NEW.ended_at IS DISTINCT FROM OLD.ended_at THEN
  SELECT min(at) INTO moment FROM infusions_infusionstatusevent
   WHERE record_id = NEW.id AND to_status IN ('stopped', 'completed');
  IF NEW.ended_at IS DISTINCT FROM moment THEN
    RAISE EXCEPTION 'infusion record %: ended_at must be the move to stopped or completed',
      OLD.id;
  END IF;
END IF;
RETURN NEW;
"""


class InfusionRecord(models.Model):
    """One per appointment. Changed only by the ``infusions.services`` charting functions.

    The status history rows are the append-only truth; ``status``, ``started_at`` and
    ``ended_at`` are kept on this row for the screens and billing (CPT 96365 needs more than
    15 minutes between start and end). Rather than derive them on every read, the database
    guards them (trigger ``record_integrity``, refusing the UPDATE otherwise):

    - ``status`` may only become the ``to_status`` of the latest status event, so the column
      can never disagree with the history;
    - ``started_at`` and ``ended_at`` are set once, and only to the time of the first move to
      running and of the move to stopped or completed: the billed duration is the history's;
    - ``administered_mg``, and the ``order`` and ``protocol_version`` after the start, are set
      once; the appointment and the check-in time and nurse never change;
    - the row is never deleted.

    A wrong start or end time is therefore not "fixed" by editing the row: it stands, and
    the explanation goes on the chart (a correction of the event, a note).
    """

    appointment = models.OneToOneField(
        "scheduling.Appointment", on_delete=models.PROTECT, related_name="infusion_record"
    )
    order = models.ForeignKey(
        DoseOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="records",
        help_text="The dose order the infusion was started under.",
    )  # fmt: skip
    protocol_version = models.ForeignKey(
        ProtocolVersion, on_delete=models.PROTECT, related_name="infusion_records"
    )
    status = models.CharField(max_length=16, choices=InfusionStatus.choices)
    checked_in_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    administered_mg = models.DecimalField(
        "administered (mg)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    checked_in_by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-checked_in_at"]
        # The safety report: the infusions started in a range of days, not every record.
        indexes = [
            models.Index(
                fields=["started_at"],
                condition=Q(started_at__isnull=False),
                name="infusionrecord_started",
            ),
            # The charts not closed (a few today; a chart left open from an earlier day is
            # on the nurse home: selectors.chart.left_open_for), not five years of records.
            models.Index(
                fields=["appointment"],
                condition=Q(status__in=OPEN_CHART),
                name="infusionrecord_open_chart",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="record_integrity",
                operation=pgtrigger.Update,
                when=pgtrigger.Before,
                declare=[("latest", "varchar"), ("moment", "timestamptz")],
                func=RECORD_INTEGRITY_SQL,
            ),
            pgtrigger.Protect(name="record_no_delete", operation=pgtrigger.Delete),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="infusionrecord_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(administered_mg__isnull=True) | Q(administered_mg__gte=0),
                name="infusionrecord_administered_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Infusion record #{self.pk} ({self.get_status_display()})"


class InfusionStatusEvent(models.Model):
    record = models.ForeignKey(InfusionRecord, on_delete=models.PROTECT, related_name="statuses")
    from_status = models.CharField(max_length=16, choices=InfusionStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=InfusionStatus.choices)
    at = models.DateTimeField(help_text="When it happened.")
    by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    # When it was charted: set on every change since late entries (empty on older rows,
    # charted as they happened). A late entry's ``at`` is earlier, with its reason.
    recorded_at = models.DateTimeField(null=True, blank=True)
    late_reason = models.TextField(blank=True)

    class Meta:
        triggers = append_only_triggers()
        ordering = ["at", "pk"]
        indexes = [
            # The infusions stopped early or not given (awaiting review on the physician's
            # home): those few, not every status change ever charted.
            models.Index(
                fields=["record"],
                condition=models.Q(
                    to_status__in=[InfusionStatus.STOPPED, InfusionStatus.NOT_GIVEN]
                ),
                name="statusevent_stopped_record",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} -> {self.to_status}"


class Phase(models.TextChoices):
    BASELINE = "baseline", "Baseline"
    DURING = "during", "During"
    END = "end", "End of infusion"
    RECOVERY = "recovery", "Recovery"


class Consciousness(models.TextChoices):
    ALERT = "A", "Alert"
    CONFUSION = "C", "New confusion"
    VOICE = "V", "Responds to voice"
    PAIN = "P", "Responds to pain"
    UNRESPONSIVE = "U", "Unresponsive"


class VitalsReading(models.Model):
    record = models.ForeignKey(InfusionRecord, on_delete=models.PROTECT, related_name="vitals")
    taken_at = models.DateTimeField()
    phase = models.CharField(max_length=10, choices=Phase.choices)
    systolic_mmhg = models.PositiveSmallIntegerField("systolic (mmHg)")
    diastolic_mmhg = models.PositiveSmallIntegerField("diastolic (mmHg)")
    pulse_bpm = models.PositiveSmallIntegerField("pulse (bpm)")
    spo2_percent = models.PositiveSmallIntegerField("SpO2 (%)")
    respiratory_rate_per_min = models.PositiveSmallIntegerField(
        "respiratory rate (/min)", null=True, blank=True
    )
    consciousness = models.CharField(max_length=1, choices=Consciousness.choices, blank=True)
    temperature_c = models.DecimalField(
        "temperature (°C)", max_digits=4, decimal_places=1, null=True, blank=True
    )
    on_oxygen = models.BooleanField(default=False)
    implausible_confirmed = models.BooleanField(default=False)
    news2_score = models.PositiveSmallIntegerField(null=True, blank=True)
    news2_band = models.CharField(max_length=12, blank=True)
    taken_by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        triggers = append_only_triggers()
        ordering = ["taken_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(diastolic_mmhg__lt=models.F("systolic_mmhg")),
                name="vitals_diastolic_below_systolic",
                violation_error_message="Diastolic must be below systolic.",
            ),
            models.CheckConstraint(
                condition=Q(spo2_percent__gt=0, spo2_percent__lte=100)
                & Q(systolic_mmhg__gt=0, diastolic_mmhg__gt=0, pulse_bpm__gt=0),
                name="vitals_values_possible",
                violation_error_message="A reading must be above zero and SpO2 at most 100%.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.systolic_mmhg}/{self.diastolic_mmhg} P{self.pulse_bpm} {self.spo2_percent}%"

    @property
    def news2_missing(self) -> list[str]:
        """The parts this reading lacks for a NEWS2 (empty when it can be scored)."""
        return scoring.news2_missing(
            respiratory_rate=self.respiratory_rate_per_min, spo2=self.spo2_percent,
            systolic=self.systolic_mmhg, pulse=self.pulse_bpm, consciousness=self.consciousness,
            temperature_c=self.temperature_c,
        )  # fmt: skip


class Alert(models.Model):
    """One alert per reading, naming every value out of range in its ``breaches``.

    Alerts raised before issue 18 were one per value: those rows keep their ``parameter`` and
    ``value`` (and no breaches); new ones leave both empty. ``breach_list`` reads either.
    """

    record = models.ForeignKey(InfusionRecord, on_delete=models.PROTECT, related_name="alerts")
    reading = models.ForeignKey(VitalsReading, on_delete=models.PROTECT, related_name="alerts")
    protocol_version = models.ForeignKey(
        ProtocolVersion, on_delete=models.PROTECT, related_name="+"
    )
    parameter = models.CharField(max_length=12, blank=True)  # legacy one-per-value rows only
    value = models.IntegerField(null=True, blank=True)  # legacy one-per-value rows only
    message = models.CharField(max_length=400)
    news2_score = models.PositiveSmallIntegerField(null=True, blank=True)
    raised_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        triggers = append_only_triggers()
        ordering = ["raised_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reading"],
                condition=Q(parameter=""),
                name="alert_one_per_reading",
                violation_error_message="This reading already has its alert.",
            ),
        ]

    def __str__(self) -> str:
        return self.message

    @property
    def before_start(self) -> bool:
        """Raised on a baseline reading, before the infusion started."""
        return self.reading.phase == Phase.BASELINE

    @property
    def ack_choices(self) -> list[tuple[str, str]]:
        actions = ACK_BEFORE_START if self.before_start else ACK_INFUSING
        return [(action.value, action.label) for action in actions]

    @property
    def breach_list(self) -> list:
        """Every value this alert names: its breaches, or the legacy single value."""
        breaches = list(self.breaches.all())
        if breaches or not self.parameter:
            return breaches
        return [AlertBreach(parameter=self.parameter, value=self.value, message=self.message,
                            source=LimitSource.PROTOCOL)]  # fmt: skip

    @property
    def acknowledgement_history(self) -> list["AlertAcknowledgement"]:
        """The acknowledgements, oldest first, each with ``corrected``; from a prefetch of
        ``acknowledgements`` when there is one."""
        acks = sorted(self.acknowledgements.all(), key=lambda ack: (ack.at, ack.pk))
        corrected = {ack.corrects_id for ack in acks}
        for ack in acks:
            ack.corrected = ack.pk in corrected
        return acks

    @property
    def acknowledgement(self) -> "AlertAcknowledgement | None":
        """The acknowledgement that stands (the last one not corrected), or None: open."""
        current = [ack for ack in self.acknowledgement_history if not ack.corrected]
        return current[-1] if current else None


class LimitSource(models.TextChoices):
    PROTOCOL = "protocol", "protocol"
    CLEARANCE = "clearance", "physician clearance"
    NEWS2 = "news2", "NEWS2 rule"


class AlertBreach(models.Model):
    """One value out of range in an alert, and whose limit it broke."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="breaches")
    parameter = models.CharField(max_length=20)
    value = models.IntegerField()
    limit = models.IntegerField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=LimitSource.choices)
    message = models.CharField(max_length=160)

    class Meta:
        triggers = append_only_triggers()
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.message


class AckAction(models.TextChoices):
    PAUSED = "paused", "Paused the infusion"
    CONTINUED = "continued_with_physician_approval", "Continued with a physician's approval"
    STOPPED = "stopped", "Stopped the infusion"
    # Before the start (an alert on a baseline reading): not started, reassessed or sent home.
    HELD = "held", "Held: did not start the infusion"


# What may be done about an alert: before the start there is nothing to pause or stop.
ACK_BEFORE_START = (AckAction.HELD, AckAction.CONTINUED)
ACK_INFUSING = (AckAction.PAUSED, AckAction.CONTINUED, AckAction.STOPPED)


def ack_action_problem(alert: "Alert", action: str) -> str | None:
    """Why ``action`` does not fit the alert (before the start or during), or None."""
    if action not in AckAction.values:
        return "Choose what was done."
    if alert.before_start and action not in ACK_BEFORE_START:
        return (
            "This alert is on a reading before the start: there was no infusion to "
            f"{'pause' if action == AckAction.PAUSED else 'stop'}. Choose 'held' (and chart "
            "the visit as not given if the patient goes home) or continue with a physician's "
            "approval."
        )
    if not alert.before_start and action not in ACK_INFUSING:
        return "The infusion had started: choose paused, stopped or continued with approval."
    return None


class AlertAcknowledgement(models.Model):
    """What was done about an alert. One per alert, unless it ``corrects`` an earlier one: a
    correction is a whole new acknowledgement with its reason, and the one it corrects stays
    on the chart, struck through."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="acknowledgements")
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by"
    )
    correction_reason = models.TextField(blank=True)
    action = models.CharField(max_length=40, choices=AckAction.choices)
    physician = models.ForeignKey(
        STAFF, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")

    class Meta:
        triggers = append_only_triggers()
        constraints = [
            models.CheckConstraint(
                condition=~Q(action=AckAction.CONTINUED) | Q(physician__isnull=False),
                name="alertack_continue_names_physician",
                violation_error_message="Name the physician who approved continuing.",
            ),
            models.UniqueConstraint(
                fields=["alert"],
                condition=Q(corrects__isnull=True),
                name="alertack_one_first_per_alert",
                violation_error_message="This alert has already been acknowledged.",
            ),
            correction_has_reason(
                "alertack_correction_has_reason", "Say what was wrong with the acknowledgement."
            ),
        ]

    def __str__(self) -> str:
        return self.get_action_display()


class EventKind(models.TextChoices):
    PAUSE = "pause", "Paused"
    RESUME = "resume", "Resumed"
    STOP = "stop", "Stopped"
    SIDE_EFFECT = "side_effect", "Side effect"


class SideEffect(models.TextChoices):
    NAUSEA = "nausea", "Nausea"
    VOMITING = "vomiting", "Vomiting"
    DISSOCIATION = "dissociation", "Dissociation"
    PERCEPTUAL = "perceptual_disturbance", "Perceptual disturbance"
    ANXIETY = "anxiety", "Anxiety"
    HEADACHE = "headache", "Headache"
    RAISED_BP = "raised_bp", "Raised BP"
    OTHER = "other", "Other"


class Severity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class InfusionEvent(models.Model):
    record = models.ForeignKey(InfusionRecord, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    occurred_at = models.DateTimeField()
    reason = models.TextField(blank=True, help_text="Why paused, resumed or stopped; notes.")
    side_effect = models.CharField(max_length=24, choices=SideEffect.choices, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, blank=True)
    intervention = models.CharField(max_length=200, blank=True)
    intervention_drug = models.CharField(max_length=80, blank=True)
    intervention_dose = models.CharField(max_length=40, blank=True)
    cadss_items = models.JSONField(
        null=True, blank=True, help_text="CADSS-6 short form: item_1..item_6, each 0-4."
    )
    by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")

    class Meta:
        triggers = append_only_triggers()
        ordering = ["occurred_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=EventKind.SIDE_EFFECT) & ~Q(side_effect="") & ~Q(severity=""))
                | (~Q(kind=EventKind.SIDE_EFFECT) & Q(side_effect="")),
                name="infusionevent_side_effect_complete",
            )
        ]

    def __str__(self) -> str:
        return self.get_side_effect_display() or self.get_kind_display()

    @property
    def cadss_total(self) -> int | None:
        return sum(self.cadss_items.values()) if self.cadss_items else None
