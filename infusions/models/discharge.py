"""Discharge from recovery, and the corrections of charted vitals and events.

A discharge is one per infusion record, unless it ``corrects`` an earlier one: a mistaken
score or assessment is not edited but followed by a whole new discharge entry with the reason,
and the chart shows the first struck through. The patient was still discharged at the first
entry's time, so a correction keeps ``discharged_at`` and records when it was made in
``recorded_at``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from clinic.append_only import append_only_triggers, correction_has_reason
from protocols.models import ProtocolVersion, ScoreType

from .charting import InfusionEvent, InfusionRecord, VitalsReading

STAFF = settings.AUTH_USER_MODEL


class Discharge(models.Model):
    record = models.ForeignKey(InfusionRecord, on_delete=models.PROTECT, related_name="discharges")
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by"
    )
    correction_reason = models.TextField(blank=True)
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
    recorded_at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")

    class Meta:
        triggers = append_only_triggers()
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(escort_present=True, instructions_given=True) & ~Q(escort_name=""),
                name="discharge_escort_and_instructions",
            ),
            models.CheckConstraint(
                condition=Q(vitals_within_baseline=True) | ~Q(vitals_override_reason=""),
                name="discharge_vitals_or_override",
            ),
            models.UniqueConstraint(
                fields=["record"],
                condition=Q(corrects__isnull=True),
                name="discharge_one_first_per_record",
                violation_error_message="This infusion has already been discharged.",
            ),
            correction_has_reason(
                "discharge_correction_has_reason", "Say what was wrong with the discharge entry."
            ),
        ]

    def __str__(self) -> str:
        return (
            f"Discharged {self.discharged_at:%H:%M} ({self.get_score_type_display()} {self.total})"
        )


class Correction(models.Model):
    """Points at exactly one corrected vitals reading or event; the chart strikes it through."""

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
