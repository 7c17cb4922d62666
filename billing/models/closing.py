"""The daily close of a site's takings: what the ledger says was collected that site-day by
each method (computed by the database when the day is closed), what the desk counted, the
difference with a reason. A closed day is locked: Postgres refuses a payment or a refund
recorded on it (migration 0004's trigger). Reopening is a new row by a clinic admin, with
the reason; nothing is updated or deleted."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from clinic.append_only import append_only_triggers
from clinic.models import Location

from .ledger import PaymentMethod

# The methods counted at the close, in the order the desk counts them: (method, field stem).
CLOSE_METHODS = [
    (PaymentMethod.CASH, "cash"),
    (PaymentMethod.CHECK, "check"),
    (PaymentMethod.CARD_TERMINAL, "card"),
    (PaymentMethod.HSA_FSA, "hsa"),
]


def _money(name: str):
    return models.DecimalField(name, max_digits=10, decimal_places=2)


class DailyClose(models.Model):
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(help_text="The site's calendar day closed.")
    expected_cash_usd = _money("expected cash (USD)")
    expected_check_usd = _money("expected checks (USD)")
    expected_card_usd = _money("expected card, terminal (USD)")
    expected_hsa_usd = _money("expected HSA/FSA (USD)")
    counted_cash_usd = _money("counted cash (USD)")
    counted_check_usd = _money("counted checks (USD)")
    counted_card_usd = _money("counted card, terminal (USD)")
    counted_hsa_usd = _money("counted HSA/FSA (USD)")
    cash_reason = models.CharField(max_length=300, blank=True)
    check_reason = models.CharField(max_length=300, blank=True)
    card_reason = models.CharField(max_length=300, blank=True)
    hsa_reason = models.CharField(max_length=300, blank=True)
    closed_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")  # fmt: skip

    class Meta:
        ordering = ["-day", "-closed_at", "-pk"]
        triggers = append_only_triggers()
        indexes = [models.Index(fields=["location", "day"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(expected_cash_usd=models.F("counted_cash_usd")) | ~Q(cash_reason=""))
                & (Q(expected_check_usd=models.F("counted_check_usd")) | ~Q(check_reason=""))
                & (Q(expected_card_usd=models.F("counted_card_usd")) | ~Q(card_reason=""))
                & (Q(expected_hsa_usd=models.F("counted_hsa_usd")) | ~Q(hsa_reason="")),
                name="daily_close_discrepancy_has_reason",
                violation_error_message="A difference between expected and counted needs a reason.",
            ),
        ]

    def __str__(self) -> str:
        return f"Close of {self.location} on {self.day:%m/%d/%Y}"

    def lines(self) -> list[dict]:
        """Per method: label, expected, counted, difference (counted - expected), reason."""
        return [
            {
                "method": method.value, "label": method.label, "stem": stem,
                "expected": getattr(self, f"expected_{stem}_usd"),
                "counted": getattr(self, f"counted_{stem}_usd"),
                "difference": getattr(self, f"counted_{stem}_usd")
                - getattr(self, f"expected_{stem}_usd"),
                "reason": getattr(self, f"{stem}_reason"),
            }
            for method, stem in CLOSE_METHODS
        ]  # fmt: skip

    @property
    def difference_usd(self) -> Decimal:
        return sum((line["difference"] for line in self.lines()), Decimal("0.00"))


class DailyCloseReopen(models.Model):
    """A clinic admin reopened a closed day (the close stays, as history)."""

    close = models.OneToOneField(DailyClose, on_delete=models.PROTECT, related_name="reopen")
    reason = models.CharField(max_length=300)
    reopened_at = models.DateTimeField(auto_now_add=True)
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")  # fmt: skip

    class Meta:
        ordering = ["reopened_at", "pk"]
        triggers = append_only_triggers()
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="daily_close_reopen_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Reopened {self.close}"
