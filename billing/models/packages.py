"""Course packages sold: the purchase (a charge on the ledger at the package price of the
price list in force that day), each infusion it covers as it is given (one row per visit),
and unused infusions given back pro rata with a reason (a credit on the ledger). The
infusions left are counted, never stored."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from clinic.append_only import append_only_triggers
from clinic.models import Location
from patients.models import Patient
from scheduling.models import Appointment

from .ledger import LedgerEntry
from .prices import PriceItem


class PackagePurchase(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="packages")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    price_item = models.ForeignKey(PriceItem, on_delete=models.PROTECT, related_name="+")
    infusions = models.PositiveSmallIntegerField()
    price_usd = models.DecimalField("price (USD)", max_digits=10, decimal_places=2)
    charge = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="package")
    sold_at = models.DateTimeField(auto_now_add=True)
    sold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["sold_at", "pk"]
        triggers = append_only_triggers()
        constraints = [
            models.CheckConstraint(
                condition=Q(infusions__in=(6, 8, 10, 12), price_usd__gt=0),
                name="package_size_and_price",
                violation_error_message="A package is 6, 8, 10 or 12 infusions at a price.",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"Package of {self.infusions} infusions (${self.price_usd})"


class PackageUse(models.Model):
    """One prepaid infusion given: once per visit (database-enforced)."""

    purchase = models.ForeignKey(PackagePurchase, on_delete=models.PROTECT, related_name="uses")
    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, related_name="package_use"
    )
    used_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["used_at", "pk"]
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"Package {self.purchase_id}: visit {self.appointment_id}"


class PackageRelease(models.Model):
    """Unused infusions given back: ``amount_usd`` = price x infusions / package size,
    credited on the ledger (``credit``) with the reason."""

    purchase = models.ForeignKey(PackagePurchase, on_delete=models.PROTECT, related_name="releases")
    infusions = models.PositiveSmallIntegerField()
    amount_usd = models.DecimalField("amount (USD)", max_digits=10, decimal_places=2)
    credit = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    released_at = models.DateTimeField(auto_now_add=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["released_at", "pk"]
        triggers = append_only_triggers()
        constraints = [
            models.CheckConstraint(
                condition=Q(infusions__gt=0, amount_usd__gt=0) & ~Q(reason=""),
                name="package_release_counts_and_reason",
                violation_error_message="Give back at least one infusion, with the reason.",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.infusions} infusions of package {self.purchase_id} given back"


class ChargeReview(models.Model):
    """A completed visit that could not be charged by itself (no price list that day, no
    price for the kind): on the desk's list until the visit is charged, a package covers
    it, or the desk waives it (``waiver``)."""

    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, related_name="charge_review"
    )
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"Charge to review: visit {self.appointment_id}"


class ChargeReviewWaiver(models.Model):
    """The desk's decision that a visit on "Charges to review" is not charged, with the
    reason: once per review (database-enforced); the visit cannot be charged afterwards."""

    review = models.OneToOneField(ChargeReview, on_delete=models.PROTECT, related_name="waiver")
    reason = models.CharField(max_length=300)
    waived_at = models.DateTimeField(auto_now_add=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["waived_at", "pk"]
        triggers = append_only_triggers()
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="charge_review_waiver_reason",
                violation_error_message="Give the reason the visit is not charged.",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"Charge waived: visit {self.review.appointment_id}"
