import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

from clinic.models import Location

MRN_SEQUENCE = "patients_mrn_seq"


class PatientQuerySet(models.QuerySet):
    def active(self) -> "PatientQuerySet":
        return self.filter(is_active=True)

    def at_locations(self, locations) -> "PatientQuerySet":
        return self.filter(home_location__in=locations)


class Patient(models.Model):
    """A person treated at the clinic. Never deleted: deactivated with a reason."""

    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        INTERSEX = "intersex", "Intersex"
        UNKNOWN = "unknown", "Not stated"

    class Payment(models.TextChoices):
        SELF_PAY = "self_pay", "Self-pay"
        INSURANCE = "insurance", "Insurance"

    mrn = models.CharField(
        "medical record number",
        max_length=16,
        unique=True,
        editable=False,
        help_text="Generated from a database sequence; never reused.",
    )
    legal_first_name = models.CharField(max_length=100)
    legal_last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    phone = PhoneNumberField(blank=True, help_text="Stored in E.164, e.g. +19495550123.")
    email = models.EmailField(blank=True)
    address_line1 = models.CharField("address", max_length=200, blank=True)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True, default="CA")
    postal_code = models.CharField(max_length=10, blank=True)
    preferred_language = models.CharField(max_length=40, default="English")
    home_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="patients")
    payment = models.CharField(max_length=10, choices=Payment.choices, default=Payment.SELF_PAY)
    insurance_payer = models.CharField(max_length=120, blank=True)
    insurance_member_id = models.CharField(max_length=60, blank=True)
    # Comfort preferences for the infusion room, shown to the nurse at check-in.
    comfort_dim_lights = models.BooleanField("dim lights", default=False)
    comfort_eye_mask = models.BooleanField("eye mask", default=False)
    comfort_music = models.BooleanField("music", default=False)
    comfort_aromatherapy = models.BooleanField("aromatherapy", default=False)
    comfort_blanket = models.BooleanField("blanket", default=False)
    comfort_notes = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deactivation_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["legal_last_name", "legal_first_name"]
        indexes = [
            models.Index(fields=["legal_last_name", "legal_first_name", "date_of_birth"]),
            models.Index(fields=["date_of_birth"]),
            models.Index(fields=["phone"]),
            # Search-as-you-type prefix indexes are in migration 0003 (raw SQL): they must
            # match the exact expression Django emits for istartswith; the index on the
            # reversed phone, for a search by its last digits, is in 0012.
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(payment="self_pay")
                | (~Q(insurance_payer="") & ~Q(insurance_member_id="")),
                name="patient_insurance_has_payer_and_member_id",
                violation_error_message="Insurance needs both the payer and the member id.",
            ),
            models.CheckConstraint(
                condition=Q(is_active=True) | ~Q(deactivation_reason=""),
                name="patient_deactivation_has_reason",
                violation_error_message="A deactivated patient needs a reason.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.mrn})"

    def clean(self) -> None:
        if isinstance(self.date_of_birth, datetime.date):
            if self.date_of_birth > timezone.localdate():
                raise ValidationError({"date_of_birth": "Date of birth cannot be in the future."})
            if self.date_of_birth.year < 1900:
                raise ValidationError({"date_of_birth": "Check the year of birth."})
        if self.payment == self.Payment.INSURANCE:
            errors = {}
            if not self.insurance_payer.strip():
                errors["insurance_payer"] = "Enter the insurer, or choose self-pay."
            if not self.insurance_member_id.strip():
                errors["insurance_member_id"] = "Enter the member id from the insurance card."
            if errors:
                raise ValidationError(errors)

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.legal_first_name
        return f"{first} {self.legal_last_name}"

    @property
    def legal_name(self) -> str:
        return f"{self.legal_first_name} {self.legal_last_name}"

    @property
    def comfort_preferences(self) -> list[str]:
        names = ["dim_lights", "eye_mask", "music", "aromatherapy", "blanket"]
        chosen = [
            self._meta.get_field(f"comfort_{n}").verbose_name
            for n in names
            if getattr(self, f"comfort_{n}")
        ]
        return chosen + ([self.comfort_notes] if self.comfort_notes else [])


class EscortContact(models.Model):
    """A responsible adult who can collect the patient: patients must not drive home."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="escorts")
    name = models.CharField(max_length=120)
    relationship = models.CharField(max_length=60)
    phone = PhoneNumberField()
    email = models.EmailField(blank=True)
    is_primary = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_primary", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(is_primary=True, is_active=True),
                name="escort_one_primary_per_patient",
                violation_error_message="A patient has one primary escort.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.relationship})"
