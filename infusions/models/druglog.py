"""The controlled-substance log (ketamine is US Schedule III).

Every mg is accounted for in append-only rows (database triggers refuse UPDATE and DELETE;
records are kept indefinitely, well beyond the two years the DEA requires):

- ``Lot``: a lot received at one site;
- ``DrugLogEntry``: received / drawn / administered / wasted / adjustment. Each entry that
  changes a lot's stock stores its signed change and the lot's running balance after it,
  computed while the lot row is locked, so the balance in mg and mL can never go negative
  (and a check constraint refuses a negative one as a backstop);
- ``DailyReconciliation`` with one ``ReconciliationCount`` per lot: counted vs. expected at
  the end of a site's day. A reconciled day, and every day before it, is closed;
- ``Inventory`` with ``InventoryCount`` rows: the opening and biennial inventories.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from clinic.append_only import append_only_triggers
from clinic.models import Location

STAFF = settings.AUTH_USER_MODEL


def _mg(verbose: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose, max_digits=12, decimal_places=2, **kwargs)


class Lot(models.Model):
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="drug_lots")
    lot_number = models.CharField(max_length=40)
    concentration_mg_per_ml = models.DecimalField(
        "concentration (mg/mL)", max_digits=6, decimal_places=2
    )
    vial_volume_ml = models.DecimalField("vial volume (mL)", max_digits=6, decimal_places=2)
    expires_on = models.DateField(help_text="Usable through the end of this day.")
    received_vials = models.PositiveIntegerField("vials received")
    received_at = models.DateTimeField()
    received_by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")
    supplier = models.CharField(max_length=120, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        triggers = append_only_triggers()
        ordering = ["location__name", "expires_on", "lot_number"]
        constraints = [
            models.UniqueConstraint(fields=["location", "lot_number"], name="lot_once_per_site"),
            models.CheckConstraint(
                condition=Q(
                    concentration_mg_per_ml__gt=0, vial_volume_ml__gt=0, received_vials__gt=0
                ),
                name="lot_amounts_positive",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"Lot {self.lot_number} ({self.concentration_mg_per_ml} mg/mL, {self.location})"


class EntryKind(models.TextChoices):
    RECEIVED = "received", "Received"
    DRAWN = "drawn", "Drawn"
    ADMINISTERED = "administered", "Administered"
    WASTED = "wasted", "Wasted"
    ADJUSTMENT = "adjustment", "Adjustment"


# Kinds that move stock in or out of a lot (and so carry a running balance).
STOCK_KINDS = (EntryKind.RECEIVED, EntryKind.DRAWN, EntryKind.ADJUSTMENT)


class DrugLogEntryQuerySet(models.QuerySet):
    def for_report(self) -> "DrugLogEntryQuerySet":
        return self.select_related(
            "location", "lot", "by", "witness", "order__appointment__patient"
        ).order_by("occurred_at", "pk")


class DrugLogEntry(models.Model):
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="drug_log")
    lot = models.ForeignKey(
        Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    order = models.ForeignKey(
        "infusions.DoseOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="drug_log",
    )
    mg = _mg("amount (mg)", help_text="Negative only for an adjustment that removes stock.")
    ml = _mg("volume (mL)", null=True, blank=True)
    stock_change_mg = _mg("change to the lot's stock (mg)", default=0)
    stock_change_ml = _mg("change to the lot's stock (mL)", default=0)
    balance_mg = _mg("lot balance after (mg)", null=True, blank=True)
    balance_ml = _mg("lot balance after (mL)", null=True, blank=True)
    by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")
    witness = models.ForeignKey(
        STAFF, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    occurred_at = models.DateTimeField()
    business_date = models.DateField(help_text="The site's local date of occurred_at.")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = DrugLogEntryQuerySet.as_manager()

    class Meta:
        triggers = append_only_triggers()
        ordering = ["occurred_at", "pk"]
        verbose_name_plural = "drug log entries"
        # The report's order at a site (drug-log CSV): read in index order, no sort.
        indexes = [
            models.Index(
                fields=["location", "business_date", "occurred_at", "id"],
                name="druglog_site_report_order",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(balance_mg__isnull=True) | Q(balance_mg__gte=0, balance_ml__gte=0),
                name="druglog_balance_never_negative",
                violation_error_message="The lot's balance cannot go below zero.",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=STOCK_KINDS) | Q(lot__isnull=False),
                name="druglog_stock_entries_name_a_lot",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=[EntryKind.DRAWN, EntryKind.ADMINISTERED, EntryKind.WASTED])
                | Q(order__isnull=False),
                name="druglog_infusion_entries_name_an_order",
            ),  # fmt: skip
            models.CheckConstraint(
                condition=Q(kind=EntryKind.ADJUSTMENT)
                | Q(kind=EntryKind.ADMINISTERED, mg__gte=0)
                | Q(mg__gt=0),
                name="druglog_amount_positive",
            ),
            models.CheckConstraint(
                condition=~Q(kind=EntryKind.WASTED)
                | (Q(witness__isnull=False) & ~Q(witness=F("by"))),
                name="druglog_waste_witnessed_by_another",
                violation_error_message="Waste needs a witness who is not the person wasting.",
            ),
            models.CheckConstraint(
                condition=~Q(kind=EntryKind.ADJUSTMENT) | ~Q(reason=""),
                name="druglog_adjustment_has_reason",
            ),
            models.UniqueConstraint(
                fields=["order", "kind"],
                condition=Q(kind__in=[EntryKind.ADMINISTERED, EntryKind.WASTED]),
                name="druglog_accounted_once_per_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.mg} mg ({self.business_date})"


class DailyReconciliation(models.Model):
    """The end-of-day count at one site. Once recorded, that day (and every earlier one)
    takes no more entries."""

    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="drug_reconciliations"
    )
    business_date = models.DateField()
    reconciled_at = models.DateTimeField(auto_now_add=True)
    reconciled_by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    has_discrepancy = models.BooleanField(default=False)

    class Meta:
        triggers = append_only_triggers()
        ordering = ["-business_date", "location__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "business_date"], name="reconciliation_once_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"Reconciliation {self.location} {self.business_date}"


class ReconciliationCount(models.Model):
    reconciliation = models.ForeignKey(
        DailyReconciliation, on_delete=models.PROTECT, related_name="counts"
    )
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="reconciliation_counts")
    expected_mg = _mg("expected (mg)")
    expected_ml = _mg("expected (mL)")
    counted_ml = _mg("counted (mL)")
    counted_mg = _mg("counted (mg)")
    discrepancy_mg = _mg("counted - expected (mg)")
    note = models.TextField(blank=True)

    class Meta:
        triggers = append_only_triggers()
        ordering = ["lot__lot_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["reconciliation", "lot"], name="reconciliation_count_once_per_lot"
            ),
            models.CheckConstraint(condition=Q(counted_ml__gte=0), name="count_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.lot.lot_number}: counted {self.counted_mg} mg, expected {self.expected_mg}"

    @property
    def is_discrepancy(self) -> bool:
        return self.discrepancy_mg != 0


class DiscrepancyResolution(models.Model):
    """A clinic admin's note that a flagged discrepancy was investigated (it leaves the
    alert list; the count itself never changes)."""

    count = models.OneToOneField(
        ReconciliationCount, on_delete=models.PROTECT, related_name="resolution"
    )
    note = models.TextField()
    resolved_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")

    class Meta:
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"Resolved by {self.resolved_by}"


class InventoryKind(models.TextChoices):
    OPENING = "opening", "Opening (initial) inventory"
    BIENNIAL = "biennial", "Biennial inventory"


class Inventory(models.Model):
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="inventories")
    kind = models.CharField(max_length=10, choices=InventoryKind.choices)
    taken_at = models.DateTimeField()
    taken_by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        triggers = append_only_triggers()
        ordering = ["-taken_at"]
        verbose_name_plural = "inventories"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.location} {self.taken_at:%Y-%m-%d}"


class InventoryCount(models.Model):
    inventory = models.ForeignKey(Inventory, on_delete=models.PROTECT, related_name="counts")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="inventory_counts")
    counted_ml = _mg("counted (mL)")
    counted_mg = _mg("counted (mg)")
    expected_mg = _mg("expected from the log (mg)")

    class Meta:
        triggers = append_only_triggers()
        constraints = [
            models.UniqueConstraint(fields=["inventory", "lot"], name="inventory_count_once"),
            models.CheckConstraint(condition=Q(counted_ml__gte=0), name="inventory_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.lot.lot_number}: {self.counted_mg} mg"
