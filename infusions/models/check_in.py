"""What the nurse confirmed at check-in, as append-only rows: the escort (here or on the way,
name and phone as confirmed; an "arrived" entry later) and which of the patient's comfort
preferences were applied."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from phonenumber_field.modelfields import PhoneNumberField

from clinic.append_only import append_only_triggers

from .charting import InfusionRecord

STAFF = settings.AUTH_USER_MODEL


class EscortStatus(models.TextChoices):
    PRESENT = "present", "Here"
    ON_THE_WAY = "on_the_way", "On the way"


class EscortEntry(models.Model):
    """The escort as confirmed at one moment. The latest entry of a record stands: an escort
    on the way at check-in gets a later "here" entry when they arrive."""

    record = models.ForeignKey(
        InfusionRecord, on_delete=models.PROTECT, related_name="escort_entries"
    )
    status = models.CharField(max_length=12, choices=EscortStatus.choices)
    name = models.CharField(max_length=120)
    phone = PhoneNumberField()
    at = models.DateTimeField()
    by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")

    class Meta:
        triggers = append_only_triggers()
        ordering = ["at", "pk"]
        verbose_name_plural = "escort entries"
        constraints = [
            models.CheckConstraint(
                condition=~Q(name="") & ~Q(phone=""), name="escortentry_name_and_phone"
            ),
        ]

    def __str__(self) -> str:
        return f"Escort {self.name} ({self.get_status_display().lower()})"


class ComfortItem(models.TextChoices):
    """The patient's comfort preferences (``patients.Patient.comfort_*``)."""

    DIM_LIGHTS = "dim_lights", "Dim lights"
    EYE_MASK = "eye_mask", "Eye mask"
    MUSIC = "music", "Music"
    AROMATHERAPY = "aromatherapy", "Aromatherapy"
    BLANKET = "blanket", "Blanket"
    NOTES = "notes", "Patient's own note"


class ComfortApplied(models.Model):
    """One comfort preference applied at check-in; ``detail`` keeps the patient's note."""

    record = models.ForeignKey(
        InfusionRecord, on_delete=models.PROTECT, related_name="comfort_applied"
    )
    item = models.CharField(max_length=16, choices=ComfortItem.choices)
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")

    class Meta:
        triggers = append_only_triggers()
        ordering = ["at", "pk"]
        verbose_name_plural = "comfort applied"
        constraints = [
            models.UniqueConstraint(fields=["record", "item"], name="comfortapplied_once"),
        ]

    def __str__(self) -> str:
        return self.detail or self.get_item_display()
