"""Card payments through the provider (billing/card_providers.py): the desk starts an
intent for an amount, the provider's signed webhook (or the desk's *Check now*) records the
payment on the ledger once, and a refund at the provider is recorded as a refund of that
payment. Calls to the provider run outside any database transaction; the ledger writes
are serialised on the patient row."""

import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum

from clinic.access import require_role
from clinic.models import User
from patients.models import Patient
from patients.selectors import patients_for

from ..card_providers import (
    CardProviderError,
    ProviderEvent,
    get_card_provider,
    to_usd,
)
from ..models import CardEvent, CardIntent, CardSettlement, EntryKind, LedgerEntry, PaymentMethod
from .ledger import CASHIERS, _amount, earlier_entry, ledger_refund, refundable_usd

SUCCEEDED = "payment_intent.succeeded"
FAILED = "payment_intent.payment_failed"
REFUNDED = "charge.refunded"


def card_payment_start(
    *, patient: Patient, by: User, amount_usd: Decimal | None, idempotency_key: str = ""
) -> CardIntent:
    """Ask the provider for a payment intent of ``amount_usd``. The same ``idempotency_key``
    (the desk form's, or the API caller's) is the same intent, here and at the provider."""
    require_role(by, *CASHIERS, doing="take card payments")
    if not patients_for(by).filter(pk=patient.pk).exists():
        raise ValidationError({"patient": "This patient is not one of your sites'."})
    amount = _amount(amount_usd)
    key = (idempotency_key or "").strip()[:100] or uuid.uuid4().hex
    earlier = CardIntent.objects.filter(idempotency_key=key).first()
    if earlier is not None:
        if earlier.patient_id != patient.pk or earlier.amount_usd != amount:
            raise ValidationError({"idempotency_key": "This key was used for another payment."})
        return earlier
    provider = get_card_provider()
    try:
        intent = provider.create_payment_intent(
            amount_usd=amount, patient=patient, idempotency_key=key
        )
    except CardProviderError as error:
        raise ValidationError({"amount_usd": f"The card provider refused: {error}"}) from error
    try:
        with transaction.atomic():
            return CardIntent.objects.create(
                patient=patient, location=patient.home_location, amount_usd=amount,
                provider=provider.name, intent_id=intent.id, client_secret=intent.client_secret,
                idempotency_key=key, created_by=by,
            )  # fmt: skip
    except IntegrityError:  # the same key at the same moment: the other request's row
        return CardIntent.objects.get(idempotency_key=key)


def _lock(intent: CardIntent) -> None:
    Patient.objects.select_for_update().filter(pk=intent.patient_id).first()


def _settle(intent: CardIntent, amount_cents: int = 0) -> LedgerEntry | None:
    """The ledger payment of ``intent``, once (call with the patient row locked)."""
    if CardSettlement.objects.filter(intent=intent).exists():
        return None
    amount = to_usd(amount_cents) if amount_cents else intent.amount_usd
    payment = LedgerEntry(
        patient_id=intent.patient_id, location_id=intent.location_id, kind=EntryKind.PAYMENT,
        amount_usd=-amount, method=PaymentMethod.CARD_TERMINAL, reference=intent.intent_id,
        description=f"Card payment ({intent.provider})", recorded_by_id=intent.created_by_id,
    )  # fmt: skip
    payment.full_clean(validate_constraints=False)
    payment.save()
    CardSettlement.objects.create(intent=intent, payment=payment)
    return payment


def _refund_to(intent: CardIntent, event: ProviderEvent) -> LedgerEntry | None:
    """Bring the ledger's refunds of the intent's payment up to what the provider says was
    refunded in all (a refund the desk made here is already on the ledger: nothing more)."""
    settlement = CardSettlement.objects.filter(intent=intent).select_related("payment").first()
    if settlement is None:
        return None
    payment = settlement.payment
    on_ledger = payment.refunds.aggregate(total=Sum("amount_usd"))["total"] or Decimal("0")
    missing = min(to_usd(event.amount_refunded_cents) - on_ledger, refundable_usd(payment))
    if missing <= 0:
        return None
    refund = LedgerEntry(
        patient_id=payment.patient_id, location_id=payment.location_id, kind=EntryKind.REFUND,
        amount_usd=missing, method=payment.method, reference=event.object_id[:60],
        refund_of=payment, reason="Refunded at the card provider.",
        description=f"Refund of payment {payment.pk}", recorded_by_id=intent.created_by_id,
    )  # fmt: skip
    refund.full_clean(validate_constraints=False)
    refund.save()
    return refund


def card_event_receive(event: ProviderEvent) -> CardEvent | None:
    """One verified provider event, once by its id: ``payment_intent.succeeded`` records
    the payment, ``charge.refunded`` the refund; other events are kept as received. The same
    event again returns None and writes nothing."""
    intent = CardIntent.objects.filter(intent_id=event.intent_id).first()
    try:
        with transaction.atomic():
            if intent is not None:
                _lock(intent)
            if CardEvent.objects.filter(event_id=event.id).exists():
                return None
            entry, note = None, ""
            if intent is None:
                note = "No payment of ours has this intent."
            elif event.type == SUCCEEDED:
                entry = _settle(intent, event.amount_cents)
                note = "" if entry else "Already recorded."
            elif event.type == REFUNDED:
                entry = _refund_to(intent, event)
                note = "" if entry else "Nothing more to record."
            return CardEvent.objects.create(
                event_id=event.id[:100], event_type=event.type[:60], intent=intent,
                ledger_entry=entry, note=note,
            )  # fmt: skip
    except IntegrityError:  # the same event delivered twice at once: the other one wrote it
        return None


def card_payment_check(*, intent: CardIntent, by: User) -> str:
    """Ask the provider how the intent stands (the desk's *Check now*, when a webhook is
    late): a succeeded one is recorded on the ledger at once. Returns the status."""
    require_role(by, *CASHIERS, doing="take card payments")
    if CardSettlement.objects.filter(intent=intent).exists():
        return "succeeded"
    try:
        found = get_card_provider().retrieve_payment_intent(intent.intent_id)
    except CardProviderError as error:
        raise ValidationError(f"The card provider did not answer: {error}") from error
    if found.status == "succeeded":
        with transaction.atomic():
            _lock(intent)
            _settle(intent, found.amount_cents)
    return found.status


def card_refund(
    *,
    payment: LedgerEntry,
    by: User,
    amount_usd: Decimal,
    reason: str,
    idempotency_key: str = "",
    form_key: str = "",
) -> LedgerEntry:
    """Give back part or all of a card payment through the provider, then on the ledger
    (the same checks as any refund: at most what is left, with the reason). The desk form's
    ``form_key`` is also the provider's idempotency key: the form sent twice is one refund."""
    require_role(by, *CASHIERS, doing="refund payments")
    settlement = CardSettlement.objects.filter(payment=payment).select_related("intent").first()
    if settlement is None:
        raise ValidationError({"refund_of": "This payment was not taken through the provider."})
    if earlier := earlier_entry(form_key, payment.patient):
        return earlier
    amount = _amount(amount_usd)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the money is given back."})
    if amount > refundable_usd(payment):
        raise ValidationError(
            {"amount_usd": f"At most ${refundable_usd(payment)} of this payment is left to refund."}
        )
    key = (idempotency_key or form_key or "").strip()[:100] or uuid.uuid4().hex
    try:
        refund_id = get_card_provider().refund(
            intent_id=settlement.intent.intent_id, amount_usd=amount, idempotency_key=key
        )
    except CardProviderError as error:
        raise ValidationError({"amount_usd": f"The card provider refused: {error}"}) from error
    try:
        return ledger_refund(
            payment=payment, by=by, amount_usd=amount, reason=reason, form_key=form_key,
            provider_refund_id=refund_id,
        )  # fmt: skip
    except ValidationError:
        # The provider's charge.refunded webhook recorded this refund in between.
        return payment.refunds.order_by("-pk").first()


def payment_refund(
    *,
    payment: LedgerEntry,
    by: User,
    amount_usd: Decimal,
    reason: str,
    reference: str = "",
    form_key: str = "",
) -> LedgerEntry:
    """Give back part or all of a payment the way it was taken: a card payment taken
    through the provider goes back to the card there (``card_refund``), any other is
    given back at the desk and written on the ledger (``ledger_refund``)."""
    if CardSettlement.objects.filter(payment=payment).exists():
        return card_refund(
            payment=payment, by=by, amount_usd=amount_usd, reason=reason, form_key=form_key
        )
    return ledger_refund(
        payment=payment, by=by, amount_usd=amount_usd, reason=reason, reference=reference,
        form_key=form_key,
    )  # fmt: skip


def intent_status(intent: CardIntent) -> str:
    """How the desk sees an intent without asking the provider: paid (on the ledger),
    declined (the provider said so), or waiting for the card. Lists select ``settlement``
    and prefetch ``events``: no query per row."""
    if hasattr(intent, "settlement"):
        return "paid"
    if any(event.event_type == FAILED for event in intent.events.all()):
        return "declined"
    return "waiting"
