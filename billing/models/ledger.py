"""The patient's account: an append-only ledger. Charges raise the balance, payments lower
it, refunds give back part of a payment (raising it again), adjustments go either way with a
reason. The balance is the sum of the signed amounts, computed by the database."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from clinic.append_only import append_only_triggers
from clinic.models import Location
from patients.models import Patient
from scheduling.models import Appointment

from .prices import PriceItem


class EntryKind(models.TextChoices):
    CHARGE = "charge", "Charge"
    PAYMENT = "payment", "Payment"
    REFUND = "refund", "Refund"
    ADJUSTMENT = "adjustment", "Adjustment"


class PaymentMethod(models.TextChoices):
    CARD_TERMINAL = "card_terminal", "Card (terminal)"
    CASH = "cash", "Cash"
    CHECK = "check", "Check"
    HSA_FSA = "hsa_fsa", "HSA/FSA card"


class LedgerEntryQuerySet(models.QuerySet):
    def balance_usd(self):
        from decimal import Decimal

        return self.aggregate(total=models.Sum("amount_usd"))["total"] or Decimal("0.00")


class LedgerEntry(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="ledger_entries")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    # Signed as it moves the balance: charges and refunds up (+), payments down (-),
    # adjustments either way. No card number is ever stored: only the terminal's reference.
    amount_usd = models.DecimalField("amount (USD)", max_digits=10, decimal_places=2)
    method = models.CharField(max_length=14, choices=PaymentMethod.choices, blank=True)
    reference = models.CharField(
        max_length=60, blank=True, help_text="The card terminal's reference or the check number."
    )
    description = models.CharField(max_length=200, blank=True)
    price_item = models.ForeignKey(
        PriceItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refund_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    reason = models.CharField(max_length=300, blank=True)
    # The desk form's one-time key (made when the form is shown): the same form sent again
    # (the back button, a retry) finds this entry instead of writing a second one.
    form_key = models.CharField(max_length=100, null=True, blank=True, unique=True, editable=False)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name_plural = "ledger entries"
        triggers = append_only_triggers()
        indexes = [models.Index(fields=["patient", "recorded_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="charge", amount_usd__gt=0, method="")
                | Q(kind="payment", amount_usd__lt=0) & ~Q(method="")
                | Q(kind="refund", amount_usd__gt=0, refund_of__isnull=False) & ~Q(reason="")
                | Q(kind="adjustment", method="") & ~Q(amount_usd=0) & ~Q(reason=""),
                name="ledger_entry_sign_method_and_reason_by_kind",
                violation_error_message="The sign, method or reason does not fit the kind.",
            ),
            models.UniqueConstraint(
                fields=["appointment"],
                condition=Q(kind="charge", appointment__isnull=False),
                name="ledger_one_charge_per_appointment",
                violation_error_message="This infusion is already charged.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ${self.amount_usd} ({self.patient})"

    @property
    def shown_usd(self):
        """The amount as people say it: positive, the kind says which way."""
        return abs(self.amount_usd)
