"""Chairside charting: the infusion record of one appointment, from check-in to discharge.

The ``InfusionRecord`` row holds the current status and the exact start and end times; the
services change it only through ``ALLOWED_TRANSITIONS`` and write an ``InfusionStatusEvent``
per change. Every clinical entry (vitals, alerts, acknowledgements, events, discharge,
corrections, status events) is append-only in the database: a mistake is corrected by a
``Correction`` row pointing at it, and the chart shows the corrected entry struck through.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from clinic.append_only import append_only_triggers

from .orders import DoseOrder
from .protocols import ProtocolVersion

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


S = InfusionStatus
ALLOWED_TRANSITIONS = {
    "": {S.CHECKED_IN},
    S.CHECKED_IN: {S.PRE_ASSESSMENT},
    S.PRE_ASSESSMENT: {S.READY},
    S.READY: {S.RUNNING},
    S.RUNNING: {S.PAUSED, S.STOPPED, S.COMPLETED},
    S.PAUSED: {S.RUNNING, S.STOPPED},
    S.STOPPED: {S.RECOVERY},
    S.COMPLETED: {S.RECOVERY},
    S.RECOVERY: {S.DISCHARGED},
    S.DISCHARGED: set(),
}


class InfusionRecord(models.Model):
    """One per appointment. Changed only by ``infusions.services.charting``."""

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
    at = models.DateTimeField()
    by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)

    class Meta:
        triggers = append_only_triggers()
        ordering = ["at", "pk"]

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


class Alert(models.Model):
    record = models.ForeignKey(InfusionRecord, on_delete=models.PROTECT, related_name="alerts")
    reading = models.ForeignKey(VitalsReading, on_delete=models.PROTECT, related_name="alerts")
    protocol_version = models.ForeignKey(
        ProtocolVersion, on_delete=models.PROTECT, related_name="+"
    )
    parameter = models.CharField(max_length=12)
    value = models.IntegerField()
    message = models.CharField(max_length=120)
    raised_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        triggers = append_only_triggers()
        ordering = ["raised_at", "pk"]

    def __str__(self) -> str:
        return self.message


class AckAction(models.TextChoices):
    PAUSED = "paused", "Paused the infusion"
    CONTINUED = "continued_with_physician_approval", "Continued with a physician's approval"
    STOPPED = "stopped", "Stopped the infusion"


class AlertAcknowledgement(models.Model):
    alert = models.OneToOneField(Alert, on_delete=models.PROTECT, related_name="acknowledgement")
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
            )
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


class ScoreType(models.TextChoices):
    PADSS = "padss", "PADSS"
    ALDRETE = "aldrete", "Modified Aldrete"


class Discharge(models.Model):
    record = models.OneToOneField(
        InfusionRecord, on_delete=models.PROTECT, related_name="discharge"
    )
    protocol_version = models.ForeignKey(
        ProtocolVersion, on_delete=models.PROTECT, related_name="+"
    )
    score_type = models.CharField(max_length=8, choices=ScoreType.choices)
    item_scores = models.JSONField()
    total = models.PositiveSmallIntegerField()
    vitals_within_baseline = models.BooleanField()
    vitals_override_reason = models.TextField(blank=True)
    escort_present = models.BooleanField()
    escort_name = models.CharField(max_length=120)
    pain_nrs = models.PositiveSmallIntegerField("post-infusion pain NRS")
    pain_measure = models.ForeignKey(
        "patients.OutcomeMeasure", on_delete=models.PROTECT, related_name="+"
    )
    instructions_given = models.BooleanField()
    discharged_at = models.DateTimeField()
    by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")

    class Meta:
        triggers = append_only_triggers()
        constraints = [
            models.CheckConstraint(
                condition=Q(escort_present=True, instructions_given=True) & ~Q(escort_name=""),
                name="discharge_escort_and_instructions",
            ),
            models.CheckConstraint(
                condition=Q(vitals_within_baseline=True) | ~Q(vitals_override_reason=""),
                name="discharge_vitals_or_override",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"Discharged {self.discharged_at:%H:%M} ({self.get_score_type_display()} {self.total})"
        )


class Correction(models.Model):
    """Points at exactly one corrected entry; the chart strikes that entry through."""

    record = models.ForeignKey(InfusionRecord, on_delete=models.PROTECT, related_name="corrections")
    vitals = models.ForeignKey(
        VitalsReading, null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    event = models.ForeignKey(
        InfusionEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    reason = models.TextField()
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")

    class Meta:
        triggers = append_only_triggers()
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(vitals__isnull=False) & Q(event__isnull=True))
                | (Q(vitals__isnull=True) & Q(event__isnull=False)),
                name="correction_exactly_one_target",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="correction_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Correction: {self.reason[:40]}"
