"""The physician's review of a course part-way through: the outcome so far and a decision.

Append-only (the database refuses UPDATE and DELETE): a changed mind is a new review that
``supersedes`` the standing one, so the record shows every decision and what it was based
on (``outcome``: the numbers on the screen when it was made).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from clinic.append_only import append_only_triggers
from protocols.models import Protocol
from scheduling.models import Course

from .schedules import MeasureSchedule

STAFF = settings.AUTH_USER_MODEL


class Decision(models.TextChoices):
    CONTINUE = "continue", "Continue the course"
    STOP = "stop", "Stop the course"
    CHANGE_PROTOCOL = "change_protocol", "Change the protocol"


class CourseReview(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="reviews")
    review_after = models.PositiveSmallIntegerField(
        help_text="The infusion after which the review was due (the schedule's review point)."
    )
    schedule = models.ForeignKey(
        MeasureSchedule, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The schedule version that set the review point; empty: the default.",
    )  # fmt: skip
    infusions_given = models.PositiveSmallIntegerField()
    decision = models.CharField(max_length=16, choices=Decision.choices)
    reason = models.TextField()
    new_protocol = models.ForeignKey(
        Protocol, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The protocol to change to (a change-of-protocol decision only).",
    )  # fmt: skip
    outcome = models.JSONField(help_text="The course outcome as the physician saw it.")
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    reviewed_by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        triggers = append_only_triggers()
        ordering = ["-reviewed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="coursereview_has_reason"),
            models.CheckConstraint(
                condition=Q(decision=Decision.CHANGE_PROTOCOL, new_protocol__isnull=False)
                | (~Q(decision=Decision.CHANGE_PROTOCOL) & Q(new_protocol__isnull=True)),
                name="coursereview_new_protocol_only_on_change",
                violation_error_message="Name the protocol to change to (and only then).",
            ),
            models.UniqueConstraint(
                fields=["course"],
                condition=Q(supersedes__isnull=True),
                name="coursereview_one_first_review",
                violation_error_message="This course already has a review: a new one "
                "supersedes it.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({self.reviewed_at:%Y-%m-%d})"
