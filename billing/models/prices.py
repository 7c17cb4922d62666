"""What the clinic charges: a versioned price list per site (a new version from a date; the
old one stays on what was sold under it), and the Good Faith Estimates given to self-pay
patients (45 CFR 149.610), each a document kept as issued, with its deliveries."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from clinic.append_only import append_only_triggers
from clinic.models import Location
from patients.models import Patient
from scheduling.models import Course

CENT = Decimal("0.01")
PACKAGE_SIZES = (6, 8, 10, 12)


class PriceKind(models.TextChoices):
    CONSULTATION = "consultation", "Consultation"
    INFUSION = "infusion", "Single infusion"
    BOOSTER = "booster", "Booster infusion"
    PACKAGE = "package", "Course package"


# The codes printed beside each kind by default (DOMAIN.md, "Money"): a new patient visit,
# the infusion's first hour and the drug as an unclassified injection.
DEFAULT_CODES = {
    PriceKind.CONSULTATION: "99204",
    PriceKind.INFUSION: "96365, J3490",
    PriceKind.BOOSTER: "96365, J3490",
    PriceKind.PACKAGE: "96365, J3490",
}


class PriceListQuerySet(models.QuerySet):
    def in_force(self, location: Location, day) -> "PriceList | None":
        return (
            self.filter(location=location, effective_from__lte=day)
            .order_by("-effective_from", "-pk")
            .prefetch_related("items")
            .first()
        )


class PriceList(models.Model):
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="price_lists")
    effective_from = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = PriceListQuerySet.as_manager()

    class Meta:
        ordering = ["location", "-effective_from"]
        triggers = append_only_triggers()
        constraints = [
            models.UniqueConstraint(
                fields=["location", "effective_from"],
                name="price_list_one_version_per_site_and_day",
                violation_error_message="This site already has prices from that day.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.location} prices from {self.effective_from:%m/%d/%Y}"

    def item(self, kind: str, infusions: int | None = None) -> "PriceItem | None":
        return next(
            (
                i
                for i in self.items.all()
                if i.kind == kind and (infusions is None or i.infusions == infusions)
            ),
            None,
        )


class PriceItem(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(max_length=12, choices=PriceKind.choices)
    infusions = models.PositiveSmallIntegerField(
        help_text="Infusions it covers: 0 a consultation, 1 a single or booster, N a package."
    )
    price_usd = models.DecimalField(
        "price (USD)", max_digits=10, decimal_places=2, validators=[MinValueValidator(CENT)]
    )
    codes = models.CharField(max_length=60, help_text="CPT/HCPCS codes, e.g. 96365, J3490.")

    class Meta:
        ordering = ["price_list", "kind", "infusions"]
        triggers = append_only_triggers()
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "kind", "infusions"], name="price_item_once_per_list"
            ),
            models.CheckConstraint(
                condition=Q(price_usd__gt=0),
                name="price_item_positive",
                violation_error_message="A price is more than zero.",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        label = self.get_kind_display()
        if self.kind == PriceKind.PACKAGE:
            label = f"Course package of {self.infusions} infusions"
        return f"{label}: ${self.price_usd}"


class GoodFaithEstimate(models.Model):
    """An estimate as issued: the practice's numbers, the lines and the total are copied in,
    so a later price or NPI change leaves it as the patient received it. An updated estimate
    is a new one that ``supersedes`` this one, with the reason."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="estimates")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, null=True, blank=True, related_name="estimates"
    )
    price_list = models.ForeignKey(PriceList, on_delete=models.PROTECT, related_name="+")
    requested = models.BooleanField(
        default=False, help_text="Asked for by the patient, not for a scheduled service."
    )
    scheduled_on = models.DateField(help_text="The day the service was scheduled or asked for.")
    first_service_on = models.DateField(null=True, blank=True)
    due_by = models.DateField(
        null=True, blank=True,
        help_text="The last day to give it to the patient; none when the service is less than "
        "3 business days away.",
    )  # fmt: skip
    practice_name = models.CharField(max_length=200)
    practice_address = models.TextField()
    npi = models.CharField("NPI", max_length=10)
    tin = models.CharField("TIN", max_length=10)
    diagnosis_codes = models.CharField(max_length=60, blank=True)
    total_usd = models.DecimalField("total (USD)", max_digits=10, decimal_places=2)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    change_reason = models.CharField(max_length=300, blank=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at", "-pk"]
        triggers = append_only_triggers()
        constraints = [
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True, change_reason="")
                | (Q(supersedes__isnull=False) & ~Q(change_reason="")),
                name="estimate_update_has_reason",
                violation_error_message="An updated estimate says why.",
            ),
        ]

    def __str__(self) -> str:
        return f"Good Faith Estimate {self.pk} for {self.patient}: ${self.total_usd}"

    @property
    def dispute_threshold_usd(self) -> Decimal:
        """A bill this much or more above the estimate may be disputed (45 CFR 149.620)."""
        return self.total_usd + Decimal("400.00")


class EstimateLine(models.Model):
    estimate = models.ForeignKey(GoodFaithEstimate, on_delete=models.PROTECT, related_name="lines")
    price_item = models.ForeignKey(PriceItem, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=200)
    codes = models.CharField(max_length=60)
    quantity = models.PositiveSmallIntegerField()
    unit_price_usd = models.DecimalField(max_digits=10, decimal_places=2)
    amount_usd = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["estimate", "pk"]
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"{self.quantity} × {self.description}: ${self.amount_usd}"


class DeliveryMethod(models.TextChoices):
    PRINT = "print", "Printed and handed over"
    EMAIL = "email", "Email"
    LINK = "link", "Patient link"


class EstimateDelivery(models.Model):
    estimate = models.ForeignKey(
        GoodFaithEstimate, on_delete=models.PROTECT, related_name="deliveries"
    )
    method = models.CharField(max_length=8, choices=DeliveryMethod.choices)
    sent_to = models.CharField(max_length=254, blank=True)
    delivered_at = models.DateTimeField(auto_now_add=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["delivered_at", "pk"]
        verbose_name_plural = "estimate deliveries"
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.delivered_at:%m/%d/%Y}"
