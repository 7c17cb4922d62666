from django.conf import settings
from django.db import models

from clinic.append_only import append_only_triggers

from .patient import Patient

STAFF = settings.AUTH_USER_MODEL


class ConsentDocument(models.Model):
    """A version of a consent form, edited in the admin. Signed versions never change."""

    title = models.CharField(max_length=200)
    version = models.CharField(max_length=20)
    body = models.TextField()
    effective_from = models.DateField()
    is_current = models.BooleanField(
        default=True, help_text="Offered for new signatures. Older versions stay on file."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["title", "version"], name="consent_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class ConsentSignature(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    document = models.ForeignKey(
        ConsentDocument, on_delete=models.PROTECT, related_name="signatures"
    )
    typed_name = models.CharField(max_length=200, help_text="The patient types their full name.")
    signed_at = models.DateTimeField(auto_now_add=True)
    witness = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")

    class Meta:
        triggers = append_only_triggers()
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return f"{self.document} signed {self.signed_at:%Y-%m-%d}"


class CommunicationConsent(models.Model):
    """Consent to be contacted by SMS or email. The latest row per channel is in force."""

    class Channel(models.TextChoices):
        SMS = "sms", "SMS"
        EMAIL = "email", "Email"

    class Method(models.TextChoices):
        WRITTEN = "written", "Written form"
        VERBAL = "verbal", "Verbally, to staff"
        ONLINE = "online", "Online form"
        SMS_REPLY = "sms_reply", "SMS reply"

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="communication_consents"
    )
    channel = models.CharField(max_length=5, choices=Channel.choices)
    granted = models.BooleanField()
    method = models.CharField(max_length=10, choices=Method.choices)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        STAFF, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        triggers = append_only_triggers()
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {'granted' if self.granted else 'refused'}"
