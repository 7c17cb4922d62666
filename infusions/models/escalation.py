"""Escalation of an unacknowledged alert to the physicians on duty (issue 18): one swept row
per alert, physician and channel, written by the periodic sweep and sent by it."""

from django.conf import settings
from django.db import models

from .charting import Alert


class EscalationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped (no address)"


class AlertEscalation(models.Model):
    """One message to one physician about one alert. The unique constraint is what makes the
    sweep safe to run twice: a second run finds the row and writes nothing."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="escalations")
    physician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=5)  # "sms" or "email", as the outbox's channels
    recipient = models.CharField(max_length=254, blank=True)
    body = models.CharField(max_length=300)
    status = models.CharField(
        max_length=8, choices=EscalationStatus.choices, default=EscalationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "physician", "channel"], name="alert_escalation_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.alert_id} to {self.physician} by {self.channel}: {self.status}"
