"""The numbers the papers carry: each site's practice name, NPI and TIN, and each
clinician's NPI. Edited by clinic admins in the Django admin."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from clinic.models import Location

NPI_FORMAT = RegexValidator(r"^\d{10}$", "An NPI is 10 digits.")
TIN_FORMAT = RegexValidator(r"^\d{2}-?\d{7}$", "A TIN is 9 digits (12-3456789).")
NDC_FORMAT = RegexValidator(
    r"^\d{4,5}-\d{3,4}-\d{1,2}$", "An NDC has three parts, e.g. 0409-2053-10."
)


class SiteBilling(models.Model):
    location = models.OneToOneField(Location, on_delete=models.PROTECT, related_name="billing")
    practice_name = models.CharField(max_length=200)
    practice_address = models.TextField(help_text="As printed on superbills and estimates.")
    npi = models.CharField("group NPI", max_length=10, validators=[NPI_FORMAT])
    tin = models.CharField("TIN", max_length=10, validators=[TIN_FORMAT])
    ketamine_ndc = models.CharField(
        "ketamine NDC", max_length=13, blank=True, validators=[NDC_FORMAT],
        help_text="The NDC of the vials stocked, printed with J3490 on superbills.",
    )  # fmt: skip

    class Meta:
        verbose_name = "site billing details"
        verbose_name_plural = "site billing details"

    def __str__(self) -> str:
        return f"{self.practice_name} ({self.location})"


class ClinicianNpi(models.Model):
    clinician = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="npi_number"
    )
    npi = models.CharField("NPI", max_length=10, validators=[NPI_FORMAT])
    credentials = models.CharField(max_length=40, blank=True, help_text="MD, DO, NP...")

    class Meta:
        verbose_name = "clinician NPI"
        verbose_name_plural = "clinician NPIs"

    def __str__(self) -> str:
        return f"{self.clinician.get_full_name()} {self.npi}"
