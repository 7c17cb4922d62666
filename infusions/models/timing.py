"""Rows that answer for time not run: a physician's review of an early stop, and a
physician's override of the minimum recovery time. Both append-only."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from clinic.append_only import append_only_triggers

from .charting import InfusionRecord

STAFF = settings.AUTH_USER_MODEL


class EarlyStopReview(models.Model):
    """A physician has seen an infusion that was stopped early, or a visit charted not given
    (the home page item closes)."""

    record = models.ForeignKey(
        InfusionRecord, on_delete=models.PROTECT, related_name="early_stop_reviews"
    )
    note = models.TextField(blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")

    class Meta:
        triggers = append_only_triggers()
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"],
                name="earlystopreview_one_per_record",
                violation_error_message="This early stop has already been reviewed.",
            )  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"Early stop reviewed by {self.by} at {self.at:%H:%M}"


class DischargeOverride(models.Model):
    """A named physician allows discharge before the minimum recovery time, with a reason."""

    record = models.ForeignKey(
        InfusionRecord, on_delete=models.PROTECT, related_name="discharge_overrides"
    )
    reason = models.TextField()
    at = models.DateTimeField()
    by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")

    class Meta:
        triggers = append_only_triggers()
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="dischargeoverride_has_reason")
        ]

    def __str__(self) -> str:
        return f"Discharge override by {self.by} at {self.at:%H:%M}"
