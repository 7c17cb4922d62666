"""Who pays: a patient's insurance coverages (versioned: a change is a new version that
supersedes the last), the choice to pay themselves, and the benefits checks done with the
insurer."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from clinic.append_only import append_only_triggers
from patients.models import Patient


class Funding(models.TextChoices):
    SELF_PAY = "self_pay", "Self-pay"
    INSURANCE = "insurance", "Insurance"


class Rank(models.TextChoices):
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"


class Relationship(models.TextChoices):
    SELF = "self", "Self"
    SPOUSE = "spouse", "Spouse"
    CHILD = "child", "Child"
    OTHER = "other", "Other"


class CoverageQuerySet(models.QuerySet):
    def current(self) -> "CoverageQuerySet":
        """The latest version of each coverage that has not been ended."""
        return self.filter(superseded_by__isnull=True, ended=False)


class Coverage(models.Model):
    """One version of one insurance coverage. Changing it writes a new version pointing at
    this one (``supersedes``) with the reason; ending it writes a version with ``ended``."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="coverages")
    rank = models.CharField(max_length=10, choices=Rank.choices, default=Rank.PRIMARY)
    payer_name = models.CharField("payer", max_length=120)
    payer_id = models.CharField(
        "payer id", max_length=20, blank=True,
        help_text="The clearinghouse's payer id; needed for an electronic check.",
    )  # fmt: skip
    plan_name = models.CharField("plan", max_length=120, blank=True)
    member_id = models.CharField("member id", max_length=60)
    group_number = models.CharField("group number", max_length=60, blank=True)
    subscriber_name = models.CharField(
        max_length=200, help_text="As on the card; the patient when the relationship is self."
    )
    subscriber_date_of_birth = models.DateField(null=True, blank=True)
    relationship = models.CharField(
        "patient's relationship to subscriber", max_length=10,
        choices=Relationship.choices, default=Relationship.SELF,
    )  # fmt: skip
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    ended = models.BooleanField(default=False, help_text="This version ends the coverage.")
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    change_reason = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = CoverageQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        triggers = append_only_triggers()
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="coverage_ends_after_it_starts",
                violation_error_message="The coverage ends before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True, change_reason="")
                | (Q(supersedes__isnull=False) & ~Q(change_reason="")),
                name="coverage_change_has_reason",
                violation_error_message="A change to a coverage says why.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payer_name} {self.member_id} ({self.get_rank_display().lower()})"

    def clean(self) -> None:
        errors = {}
        for name in ("payer_name", "member_id", "subscriber_name"):
            if not getattr(self, name, "").strip():
                errors[name] = "This field is required."
        if self.effective_to and self.effective_from and self.effective_to < self.effective_from:
            errors["effective_to"] = "The coverage ends before it starts."
        if errors:
            raise ValidationError(errors)


class PaymentChoice(models.Model):
    """The patient's choice of who pays, newest counts. Before the first row, the choice
    made at registration (``Patient.payment``) stands."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="payment_choices")
    funding = models.CharField(max_length=10, choices=Funding.choices)
    reason = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"{self.get_funding_display()} from {self.recorded_at:%m/%d/%Y}"


class CheckMethod(models.TextChoices):
    PHONE = "phone", "Phone"
    PORTAL = "portal", "Payer portal"
    ELECTRONIC = "electronic", "Electronic (X12 270/271)"


class CheckResult(models.TextChoices):
    COVERED = "covered", "Covered"
    NOT_COVERED = "not_covered", "Not covered"
    PRIOR_AUTH = "prior_auth", "Prior authorization needed"
    OUT_OF_NETWORK = "out_of_network", "Out of network"


class BenefitsCheck(models.Model):
    """One check of a coverage's benefits for IV ketamine with the payer."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="benefits_checks")
    coverage = models.ForeignKey(Coverage, on_delete=models.PROTECT, related_name="benefits_checks")
    checked_at = models.DateTimeField()
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(max_length=12, choices=CheckMethod.choices)
    result = models.CharField(max_length=16, choices=CheckResult.choices)
    reference_number = models.CharField(
        max_length=60, blank=True, help_text="The call reference, portal confirmation or trace."
    )
    patient_responsibility_usd = models.DecimalField(
        "expected patient responsibility (USD)", max_digits=10, decimal_places=2,
        null=True, blank=True, validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    note = models.CharField(max_length=500, blank=True)
    response_text = models.TextField(
        blank=True, help_text="The clearinghouse's 271 answer, for an electronic check."
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_at", "-pk"]
        triggers = append_only_triggers()
        indexes = [models.Index(fields=["patient", "-checked_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(patient_responsibility_usd__isnull=True)
                | Q(patient_responsibility_usd__gte=0),
                name="benefits_check_responsibility_not_negative",
                violation_error_message="The patient's responsibility cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        how = self.get_method_display()
        return f"{self.get_result_display()} ({how}, {self.checked_at:%m/%d/%Y})"
