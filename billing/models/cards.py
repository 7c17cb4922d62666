"""Card payments through a provider (Stripe): the payment intent the desk created, each
provider event received (kept once by its id) and the ledger rows they wrote. Nothing here
is updated: an intent's state is read from its events and the ledger."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from clinic.append_only import append_only_triggers
from clinic.models import Location
from patients.models import Patient

from .ledger import LedgerEntry


class CardIntent(models.Model):
    """One card payment asked of the provider. ``idempotency_key`` is sent with the create
    call, so a retried request is one payment at the provider too."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="card_intents")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    amount_usd = models.DecimalField("amount (USD)", max_digits=10, decimal_places=2)
    provider = models.CharField(max_length=20)
    intent_id = models.CharField(max_length=100, unique=True)
    client_secret = models.CharField(max_length=200, blank=True)
    idempotency_key = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        triggers = append_only_triggers()
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_usd__gt=0), name="card_intent_positive",
                violation_error_message="The amount must be more than zero.",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"Card payment {self.intent_id} ${self.amount_usd}"


class CardEvent(models.Model):
    """A provider event as received (signature checked), once per ``event_id``: the same
    event delivered twice is found here and writes nothing more."""

    event_id = models.CharField(max_length=100, unique=True)
    event_type = models.CharField(max_length=60)
    intent = models.ForeignKey(
        CardIntent, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    ledger_entry = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="card_event"
    )
    note = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_at", "pk"]
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class CardSettlement(models.Model):
    """The ledger payment of an intent: one per intent (database-enforced), whichever event
    or check got there first."""

    intent = models.OneToOneField(CardIntent, on_delete=models.PROTECT, related_name="settlement")
    payment = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="+")
    settled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"{self.intent.intent_id} -> ledger {self.payment_id}"
