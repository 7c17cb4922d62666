"""Dose orders and the independent double-check.

Every row here is a clinical record and append-only (database triggers refuse UPDATE and
DELETE). An order never changes: its state is the latest ``DoseOrderEvent`` (a transition
table: unsigned -> signed -> cancelled, unsigned -> cancelled), a physician's soft-limit
override is a ``DoseOrderOverride`` row, and each nurse's independent check is a
``DoseCheck`` row. A new order for the same appointment cancels (replaces) the old one.

The one exception is ``OrderAwaitingSignature``, the signing queue: not a record but a
list of the orders still unsigned, kept by database triggers on orders and their events.
"""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery

from clinic.append_only import append_only_triggers
from clinic.transitions import NEW, Transitions
from protocols.models import ProtocolVersion

STAFF = settings.AUTH_USER_MODEL


class OrderStatus(models.TextChoices):
    UNSIGNED = "unsigned", "Unsigned"
    SIGNED = "signed", "Signed"
    CANCELLED = "cancelled", "Cancelled"


# The transition table: every status change is one of these, recorded as a DoseOrderEvent.
ALLOWED_TRANSITIONS = Transitions(
    {
        NEW: {OrderStatus.UNSIGNED},
        OrderStatus.UNSIGNED: {OrderStatus.SIGNED, OrderStatus.CANCELLED},
        OrderStatus.SIGNED: {OrderStatus.CANCELLED},
        OrderStatus.CANCELLED: set(),
    },
    what="order",
    labels=OrderStatus,
    field=None,
    refusal="This {what} is {current}; it cannot become {target}.",
)


class SignedAs(models.TextChoices):
    PHYSICIAN = "physician", "Signed by a physician"
    STANDING_ORDER = "standing_order", "Standing order (activated under the protocol)"


class ConfirmedWith(models.TextChoices):
    """How the signer proved it was them at the moment of signing (step-up)."""

    CODE = "code", "Authenticator code"
    PASSWORD = "password", "Password"


# The signing queue's upkeep, in the database so that every writer of orders (services,
# the admin, the scale seed's set-based inserts, test factories) keeps it right. Statement
# triggers over the inserted rows: one set-based statement however many rows came in.
ENDED = "('signed', 'cancelled')"


def _after_insert(name: str, rows: str, func: str) -> pgtrigger.Trigger:
    """A statement trigger after INSERT that sees the inserted rows as the table ``rows``."""
    return pgtrigger.Trigger(
        name=name, level=pgtrigger.Statement, when=pgtrigger.After,
        operation=pgtrigger.Insert, referencing=pgtrigger.Referencing(new=rows), func=func,
    )  # fmt: skip


# An order whose signature or cancellation is already written (both in one statement) is
# not waiting.
QUEUE_NEW_ORDERS = _after_insert(
    "queue_for_signature",
    "new_orders",
    f"""
INSERT INTO infusions_orderawaitingsignature (order_id)
SELECT n.id FROM new_orders AS n
WHERE NOT EXISTS (
    SELECT 1 FROM infusions_doseorderevent AS e
    WHERE e.order_id = n.id AND e.to_status IN {ENDED}
);
RETURN NULL;
""",  # noqa: S608
)
DEQUEUE_ENDED_ORDERS = _after_insert(
    "dequeue_signed_or_cancelled",
    "new_events",
    f"""
DELETE FROM infusions_orderawaitingsignature AS q
USING new_events AS n
WHERE q.order_id = n.order_id AND n.to_status IN {ENDED};
RETURN NULL;
""",  # noqa: S608
)


class DoseOrderQuerySet(models.QuerySet):
    def with_status(self) -> "DoseOrderQuerySet":
        latest = DoseOrderEvent.objects.filter(order=OuterRef("pk")).order_by("-pk")
        return self.annotate(current_status=Subquery(latest.values("to_status")[:1]))

    def unsigned(self) -> "DoseOrderQuerySet":
        """Orders still waiting for a signature: those in the signing queue
        (``OrderAwaitingSignature``), whose size is the work waiting, not the history."""
        waiting = OrderAwaitingSignature.objects.filter(order=OuterRef("pk"))
        return self.with_status().filter(Exists(waiting))

    def active(self) -> "DoseOrderQuerySet":
        """Not cancelled: the order in force for its appointment (at most one)."""
        return self.with_status().exclude(current_status=OrderStatus.CANCELLED)

    def for_screens(self, *, with_appointment: bool = True) -> "DoseOrderQuerySet":
        """What the order's screens show. ``with_appointment=False`` when read through a
        visit already in hand (``appointment.dose_orders``, whose orders are given that
        instance): three joins fewer to plan and build (2.5 ms of the chair screen's 44)."""
        visit = ("appointment__patient", "appointment__location", "appointment__chair")
        return self.select_related(
            *(visit if with_appointment else ()),
            "protocol_version__protocol", "weight", "created_by", "override__overridden_by",
        ).prefetch_related("events__by", "checks__nurse")  # fmt: skip


def _decimal(verbose: str, places: int = 2, digits: int = 8) -> models.DecimalField:
    return models.DecimalField(verbose, max_digits=digits, decimal_places=places)


class DoseOrder(models.Model):
    """One infusion's dose, calculated once by ``infusions.dosing`` and stored in full."""

    appointment = models.ForeignKey(
        "scheduling.Appointment", on_delete=models.PROTECT, related_name="dose_orders"
    )
    protocol_version = models.ForeignKey(
        ProtocolVersion, on_delete=models.PROTECT, related_name="dose_orders"
    )
    weight = models.ForeignKey(
        "patients.WeightMeasurement", on_delete=models.PROTECT, related_name="dose_orders"
    )
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    # The calculation, as infusions.dosing.calculate_dose returned it.
    weight_kg = _decimal("weight (kg)")
    vial_mg_per_ml = _decimal("vial concentration (mg/mL)")
    dose_mg = _decimal("dose (mg)")
    dose_rate_mg_per_kg_per_h = _decimal("dose rate (mg/kg/h)")
    draw_volume_ml = _decimal("volume to draw (mL)")
    bag_volume_ml = _decimal("bag volume (mL)", places=1)
    final_concentration_mg_per_ml = _decimal("final concentration (mg/mL)", places=3)
    pump_rate_ml_per_h = _decimal("pump rate (mL/h)", places=1)
    volume_to_infuse_ml = _decimal("volume to infuse (mL)", places=1)
    infusion_minutes = models.PositiveIntegerField()
    limits = models.JSONField(default=list, blank=True, help_text="Soft limits met.")
    rounding_rules = models.JSONField(default=dict)
    notes = models.JSONField(default=list, blank=True)
    has_soft_limit = models.BooleanField(default=False)

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")

    objects = DoseOrderQuerySet.as_manager()

    class Meta:
        triggers = [*append_only_triggers(), QUEUE_NEW_ORDERS]
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(dose_mg__gt=0), name="doseorder_dose_positive"),
            models.CheckConstraint(condition=Q(weight_kg__gt=0), name="doseorder_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"Dose order #{self.pk}: {self.dose_mg} mg"

    @property
    def status(self) -> str:
        annotated = getattr(self, "current_status", None)
        if annotated:
            return annotated
        latest = self.events.order_by("-pk").first()
        return latest.to_status if latest else ""

    def event_to(self, status: str) -> "DoseOrderEvent | None":
        return next((e for e in self.events.all() if e.to_status == status), None)

    @property
    def signature(self) -> "DoseOrderEvent | None":
        return self.event_to(OrderStatus.SIGNED)

    @property
    def cancellation(self) -> "DoseOrderEvent | None":
        return self.event_to(OrderStatus.CANCELLED)

    @property
    def soft_limit_override(self) -> "DoseOrderOverride | None":
        try:
            return self.override
        except DoseOrderOverride.DoesNotExist:
            return None

    @property
    def needs_override(self) -> bool:
        return self.has_soft_limit and self.soft_limit_override is None


class DoseOrderEvent(models.Model):
    """Every status change of an order: who, when, how (signature kind) and why."""

    order = models.ForeignKey(DoseOrder, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=10, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=OrderStatus.choices)
    signed_as = models.CharField(max_length=20, choices=SignedAs.choices, blank=True)
    # A signature's step-up (empty for other events, and for signatures before it existed).
    confirmed_with = models.CharField(max_length=10, choices=ConfirmedWith.choices, blank=True)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")

    class Meta:
        triggers = [*append_only_triggers(), DEQUEUE_ENDED_ORDERS]
        ordering = ["at", "pk"]
        constraints = [
            # Each status is reached at most once: no order is signed or cancelled twice.
            models.UniqueConstraint(fields=["order", "to_status"], name="doseorderevent_once"),
            models.CheckConstraint(
                condition=Q(to_status=OrderStatus.SIGNED, signed_as__in=SignedAs.values)
                | (~Q(to_status=OrderStatus.SIGNED) & Q(signed_as="")),
                name="doseorderevent_signature_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} -> {self.to_status}"


class OrderAwaitingSignature(models.Model):
    """The signing queue: one row per order not yet signed nor cancelled.

    Derived, not a record: the chart is ``DoseOrder`` and its ``DoseOrderEvent`` rows, and
    this table says nothing they do not. Database triggers write it (``QUEUE_NEW_ORDERS``
    adds each new order, ``DEQUEUE_ENDED_ORDERS`` deletes the row when the order is signed
    or cancelled), so its rows are deleted by design and it is neither append-only nor in
    the change log. It exists so that "unsigned" costs the orders waiting, not every order
    a site ever wrote (``DoseOrderQuerySet.unsigned``). Nothing else writes it; migration
    0012 filled it from the events already written.
    """

    order = models.OneToOneField(
        DoseOrder, primary_key=True, on_delete=models.PROTECT, related_name="awaiting_signature"
    )

    class Meta:
        verbose_name = "order awaiting signature"
        verbose_name_plural = "orders awaiting signature"

    def __str__(self) -> str:
        return f"Dose order #{self.order_id} awaiting signature"


class DoseOrderOverride(models.Model):
    """A physician's recorded reason for giving a dose above the protocol's soft maximum."""

    order = models.OneToOneField(DoseOrder, on_delete=models.PROTECT, related_name="override")
    reason = models.TextField()
    overridden_at = models.DateTimeField(auto_now_add=True)
    overridden_by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")

    class Meta:
        triggers = append_only_triggers()
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="doseorderoverride_has_reason")
        ]

    def __str__(self) -> str:
        return f"Soft-limit override by {self.overridden_by}"


class DoseCheck(models.Model):
    """One nurse's independently calculated dose, compared with the order's exactly."""

    order = models.ForeignKey(DoseOrder, on_delete=models.PROTECT, related_name="checks")
    nurse = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")
    entered_mg = _decimal("dose the nurse calculated (mg)")
    matches = models.BooleanField()
    checked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        triggers = append_only_triggers()
        ordering = ["checked_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "nurse"], name="dosecheck_one_per_nurse"),
            models.CheckConstraint(condition=Q(entered_mg__gt=0), name="dosecheck_positive"),
        ]

    def __str__(self) -> str:
        return f"Check by {self.nurse}: {'match' if self.matches else 'MISMATCH'}"
