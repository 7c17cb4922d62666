"""Where a card payment goes: a provider behind one small interface, chosen by
``settings.CARD_PROVIDER``: ``fake`` (default; dev and tests, no network: intents are made
up from the idempotency key and events are signed with CARD_WEBHOOK_SECRET the way Stripe
signs them), ``stripe`` (Payment Intents through the ``stripe`` package, STRIPE_SECRET_KEY,
STRIPE_WEBHOOK_SECRET), or a dotted path to a CardProvider.

Nothing that names the patient or the treatment goes to the provider: the amount, the
currency, our intent key and the patient's record number as metadata."""

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.module_loading import import_string

CENTS = Decimal(100)
# A signature older than this is refused (a replayed delivery), as Stripe's own check does.
SIGNATURE_TOLERANCE_SECONDS = 300


class CardProviderError(Exception):
    """The provider refused or did not answer; nothing was recorded."""


class SignatureError(Exception):
    """A webhook whose signature does not match (or is too old, or is not JSON)."""


@dataclass(frozen=True)
class Intent:
    id: str
    status: str  # the provider's: requires_payment_method, processing, succeeded, canceled...
    amount_cents: int
    client_secret: str = ""


@dataclass(frozen=True)
class ProviderEvent:
    """What billing needs of a webhook event: its id, its type, and the payment intent it is
    about (``amount_cents`` received, or ``amount_refunded_cents`` so far on a refund)."""

    id: str
    type: str
    intent_id: str
    amount_cents: int = 0
    amount_refunded_cents: int = 0
    object_id: str = ""


def to_cents(amount_usd: Decimal) -> int:
    return int((amount_usd * CENTS).to_integral_value())


def to_usd(cents: int) -> Decimal:
    return (Decimal(cents) / CENTS).quantize(Decimal("0.01"))


def event_from_object(event: dict) -> ProviderEvent:
    """Read Stripe's event shape (``{"id", "type", "data": {"object": ...}}``): a payment
    intent, or a charge (``charge.refunded``) pointing at its intent."""
    obj = (event.get("data") or {}).get("object") or {}
    kind = event.get("type", "")
    if obj.get("object") == "charge":
        intent_id = obj.get("payment_intent") or ""
        return ProviderEvent(
            id=event["id"], type=kind, intent_id=intent_id, object_id=obj.get("id", ""),
            amount_cents=int(obj.get("amount_captured") or obj.get("amount") or 0),
            amount_refunded_cents=int(obj.get("amount_refunded") or 0),
        )  # fmt: skip
    return ProviderEvent(
        id=event["id"], type=kind, intent_id=obj.get("id", ""), object_id=obj.get("id", ""),
        amount_cents=int(obj.get("amount_received") or obj.get("amount") or 0),
    )  # fmt: skip


class CardProvider:
    name = ""

    def create_payment_intent(
        self, *, amount_usd: Decimal, patient, idempotency_key: str
    ) -> Intent:
        raise NotImplementedError

    def retrieve_payment_intent(self, intent_id: str) -> Intent:
        raise NotImplementedError

    def refund(self, *, intent_id: str, amount_usd: Decimal, idempotency_key: str) -> str:
        """Give back ``amount_usd`` of the intent's payment; the provider's refund id."""
        raise NotImplementedError

    def parse_event(self, payload: bytes, signature: str) -> ProviderEvent:
        """Check the signature header against the payload and read the event, or raise
        SignatureError."""
        raise NotImplementedError


def sign_payload(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header for ``payload`` (``t=<unix>,v1=<HMAC-SHA256 hex of
    "<t>.<payload>">``): what Stripe sends, what the fake provider and the tests send."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class FakeCardProvider(CardProvider):
    """No network. The intent id comes from the idempotency key (the same key is the same
    intent, like the provider); every intent is created waiting for the card, and the
    desk's *Simulate card approved* (dev only) or a test sends the signed event."""

    name = "fake"

    def create_payment_intent(self, *, amount_usd, patient, idempotency_key) -> Intent:
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
        return Intent(
            id=f"pi_fake_{digest}", status="requires_payment_method",
            amount_cents=to_cents(amount_usd), client_secret=f"pi_fake_{digest}_secret",
        )  # fmt: skip

    def retrieve_payment_intent(self, intent_id: str) -> Intent:
        return Intent(id=intent_id, status="requires_payment_method", amount_cents=0)

    def refund(self, *, intent_id, amount_usd, idempotency_key) -> str:
        return "re_fake_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]

    def parse_event(self, payload: bytes, signature: str) -> ProviderEvent:
        parts = dict(item.split("=", 1) for item in (signature or "").split(",") if "=" in item)
        try:
            timestamp = int(parts.get("t", ""))
        except ValueError:
            raise SignatureError("No timestamp in the signature.") from None
        expected = sign_payload(payload, settings.CARD_WEBHOOK_SECRET, timestamp)
        if not hmac.compare_digest(expected, f"t={timestamp},v1={parts.get('v1', '')}"):
            raise SignatureError("The signature does not match.")
        if abs(time.time() - timestamp) > SIGNATURE_TOLERANCE_SECONDS:
            raise SignatureError("The signature is too old.")
        try:
            return event_from_object(json.loads(payload))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise SignatureError(f"Not an event: {error}") from error


class StripeCardProvider(CardProvider):
    """Stripe Payment Intents (USD, card), with the idempotency key on every create; events
    checked with ``stripe.Webhook.construct_event`` and STRIPE_WEBHOOK_SECRET.
    STRIPE_API_BASE points the client elsewhere (the tests' local fake server)."""

    name = "stripe"

    def _client(self):
        import stripe

        return stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            base_addresses={"api": settings.STRIPE_API_BASE},
            max_network_retries=0,
            http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS),
        )

    def _call(self, do):
        import stripe

        try:
            return do(self._client())
        except stripe.StripeError as error:
            raise CardProviderError(getattr(error, "user_message", None) or str(error)) from error

    @staticmethod
    def _intent(found) -> Intent:
        obj = found.to_dict() if hasattr(found, "to_dict") else found
        return Intent(
            id=obj["id"], status=obj["status"], amount_cents=int(obj["amount"]),
            client_secret=obj.get("client_secret") or "",
        )  # fmt: skip

    def create_payment_intent(self, *, amount_usd, patient, idempotency_key) -> Intent:
        params = {
            "amount": to_cents(amount_usd), "currency": "usd", "payment_method_types": ["card"],
            "metadata": {"patient_record": str(patient.pk), "intent_key": idempotency_key},
        }  # fmt: skip
        return self._intent(self._call(lambda client: client.v1.payment_intents.create(
            params=params, options={"idempotency_key": idempotency_key}
        )))  # fmt: skip

    def retrieve_payment_intent(self, intent_id: str) -> Intent:
        return self._intent(
            self._call(lambda client: client.v1.payment_intents.retrieve(intent_id))
        )

    def refund(self, *, intent_id, amount_usd, idempotency_key) -> str:
        params = {"payment_intent": intent_id, "amount": to_cents(amount_usd)}
        refund = self._call(lambda client: client.v1.refunds.create(
            params=params, options={"idempotency_key": idempotency_key}
        ))  # fmt: skip
        return refund["id"]

    def parse_event(self, payload: bytes, signature: str) -> ProviderEvent:
        import stripe

        try:
            event = stripe.Webhook.construct_event(
                payload, signature, settings.STRIPE_WEBHOOK_SECRET,
                tolerance=SIGNATURE_TOLERANCE_SECONDS,
            )  # fmt: skip
        except stripe.SignatureVerificationError as error:
            raise SignatureError(str(error)) from error
        except ValueError as error:
            raise SignatureError(f"Not an event: {error}") from error
        return event_from_object(event.to_dict())


PROVIDERS = {"fake": FakeCardProvider, "stripe": StripeCardProvider}


def get_card_provider() -> CardProvider:
    name = settings.CARD_PROVIDER
    return (PROVIDERS.get(name) or import_string(name))()
