from django.db import models

from clinic.models import Location

MRN_SEQUENCE = "patients_mrn_seq"


class PatientQuerySet(models.QuerySet):
    def active(self) -> "PatientQuerySet":
        return self.filter(is_active=True)

    def at_locations(self, locations) -> "PatientQuerySet":
        return self.filter(home_location__in=locations)


class Patient(models.Model):
    """A person treated at the clinic. Never deleted: deactivated with a reason."""

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
    home_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="patients")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["legal_last_name", "legal_first_name"]
        indexes = [models.Index(fields=["legal_last_name", "legal_first_name", "date_of_birth"])]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.mrn})"

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.legal_first_name
        return f"{first} {self.legal_last_name}"
