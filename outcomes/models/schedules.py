"""A protocol's measure schedule, versioned like the protocol itself.

Each ``MeasureSchedule`` is one version (1, 2, 3 ...) with its ``ScheduledMeasure`` items.
Both are append-only (database triggers refuse UPDATE and DELETE): "editing" a schedule is
``services.measure_schedule_revise``, which adds the next version. The latest version is
current; a protocol with none uses ``outcomes.defaults.DEFAULT_SCHEDULE``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from clinic.append_only import append_only_triggers
from protocols.models import Protocol

from ..schedule import MEASURE_CHOICES, PARAM_RANGES, Item, Timing

STAFF = settings.AUTH_USER_MODEL
TAKES_PARAM = [timing.value for timing in PARAM_RANGES]


class MeasureSchedule(models.Model):
    """One version of a protocol's schedule of measures."""

    protocol = models.ForeignKey(
        Protocol, on_delete=models.PROTECT, related_name="measure_schedules"
    )
    number = models.PositiveIntegerField(help_text="1 for the first version, then 2, 3 ...")
    note = models.TextField(help_text="What changed and why.")
    # Stored with the measures, not on the protocol version: the review reads the measures
    # this schedule collects (FIQR and PHQ-9 after infusion 4 by default), so the two are
    # set and versioned together, by the same admins, in this app.
    review_after_infusion = models.PositiveSmallIntegerField(
        default=4,
        help_text="A physician reviews the course after this infusion; later sessions do not "
        "start until the review is recorded.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")

    class Meta:
        triggers = append_only_triggers()
        ordering = ["protocol_id", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(
                fields=["protocol", "number"], name="measureschedule_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="measureschedule_number_from_1"
            ),
            models.CheckConstraint(
                condition=Q(review_after_infusion__gte=1, review_after_infusion__lte=12),
                name="measureschedule_review_after_1_to_12",
                violation_error_message="The review comes after an infusion from 1 to 12.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.protocol} · measures v{self.number}"


class ScheduledMeasure(models.Model):
    """One item of a schedule version: which measure, when."""

    schedule = models.ForeignKey(MeasureSchedule, on_delete=models.PROTECT, related_name="items")
    measure = models.CharField(max_length=10, choices=MEASURE_CHOICES)
    timing = models.CharField(max_length=16, choices=Timing.choices)
    param = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The infusion number (after infusion n) or the days (n days after the last "
        "infusion); empty for the other timings.",
    )

    class Meta:
        triggers = append_only_triggers()
        ordering = ["schedule", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(timing__in=TAKES_PARAM, param__isnull=False)
                | (~Q(timing__in=TAKES_PARAM) & Q(param__isnull=True)),
                name="scheduledmeasure_param_only_where_taken",
                violation_error_message="After infusion n and n days after the last infusion "
                "take a number; the other timings take none.",
            ),
            models.UniqueConstraint(
                fields=["schedule", "measure", "timing", "param"],
                nulls_distinct=False,
                name="scheduledmeasure_once_per_schedule",
            ),
        ]

    def __str__(self) -> str:
        return self.as_item().label()

    def as_item(self) -> Item:
        return Item(self.measure, self.timing, self.param)
