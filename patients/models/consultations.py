from django.conf import settings
from django.db import models
from phonenumber_field.modelfields import PhoneNumberField

from clinic.models import Location

from .patient import Patient


class ConsultationRequest(models.Model):
    """A "contact us" request from the public website, queued for the front desk."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CONVERTED = "converted", "Registered as a patient"
        CLOSED = "closed", "Closed"

    class Source(models.TextChoices):
        WEBSITE = "website", "Website form"
        PHONE = "phone", "Phone call"
        REFERRAL = "referral", "Referral"

    name = models.CharField(max_length=150)
    phone = PhoneNumberField()
    email = models.EmailField(blank=True)
    preferred_location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="consultation_requests"
    )
    message = models.TextField(blank=True, max_length=2000)
    # Where the lead came from (reports count conversion by it); the public form is "website".
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEBSITE)
    referred_by = models.CharField(
        max_length=150, blank=True, help_text="The referring clinician, for a referral."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_reason = models.CharField(max_length=300, blank=True)
    patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="closed") | ~models.Q(closed_reason=""),
                name="consultation_closed_has_reason",
                violation_error_message="A closed request needs a reason.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"
