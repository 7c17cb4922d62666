"""Card payments through the provider: intents (idempotent by key, here and at the
provider), the webhook (signature checked; the same event twice writes one row; a refund at
the provider is a refund on the ledger), and the Stripe implementation against a local fake
of Stripe's API (no network)."""

import json
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from billing.card_providers import StripeCardProvider, sign_payload
from billing.models import CardEvent, CardIntent, LedgerEntry
from billing.selectors.ledger import balance_usd
from billing.services import cards
from tests.billing.stripe_fake import fake_stripe

D = Decimal
WEBHOOK = "/billing/stripe/webhook/"


def _event(kind, obj, event_id="evt_1"):
    return json.dumps({"id": event_id, "type": kind, "data": {"object": obj}}).encode()


def succeeded(intent, event_id="evt_1", cents=None):
    amount = int(intent.amount_usd * 100) if cents is None else cents
    return _event("payment_intent.succeeded", {
        "object": "payment_intent", "id": intent.intent_id, "amount": amount,
        "amount_received": amount, "status": "succeeded",
    }, event_id)  # fmt: skip


def refunded(intent, refunded_cents, event_id="evt_r1"):
    return _event("charge.refunded", {
        "object": "charge", "id": "ch_1", "payment_intent": intent.intent_id,
        "amount": int(intent.amount_usd * 100), "amount_refunded": refunded_cents,
    }, event_id)  # fmt: skip


def post(client, payload, secret, **kwargs):
    header = sign_payload(payload, secret, **kwargs)
    return client.post(WEBHOOK, payload, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=header)  # fmt: skip


@pytest.fixture
def intent(patient, front_desk):
    return cards.card_payment_start(
        patient=patient, by=front_desk, amount_usd=D("250.00"), idempotency_key="desk-form-1"
    )


def test_the_same_key_is_the_same_intent(patient, front_desk, intent):
    again = cards.card_payment_start(
        patient=patient, by=front_desk, amount_usd=D("250.00"), idempotency_key="desk-form-1"
    )
    assert again == intent and CardIntent.objects.count() == 1
    with pytest.raises(ValidationError) as refused:
        cards.card_payment_start(patient=patient, by=front_desk, amount_usd=D("9.00"),
                                 idempotency_key="desk-form-1")  # fmt: skip
    assert "idempotency_key" in refused.value.message_dict
    assert CardIntent.objects.count() == 1 and not LedgerEntry.objects.exists()


def test_a_good_signature_records_the_payment_once(client, settings, patient, intent):
    answer = post(client, succeeded(intent), settings.CARD_WEBHOOK_SECRET)
    assert answer.status_code == 200 and answer.json()["duplicate"] is False
    again = post(client, succeeded(intent), settings.CARD_WEBHOOK_SECRET)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    payment = LedgerEntry.objects.get()
    assert payment.kind == "payment" and payment.amount_usd == D("-250.00")
    assert payment.reference == intent.intent_id and payment.recorded_by == intent.created_by
    assert CardEvent.objects.count() == 1 and balance_usd(patient) == D("-250.00")
    # Another event about the same intent (a provider retry with a new id) pays nothing more.
    post(client, succeeded(intent, event_id="evt_2"), settings.CARD_WEBHOOK_SECRET)
    assert LedgerEntry.objects.count() == 1 and CardEvent.objects.count() == 2


@pytest.mark.parametrize("problem", ["wrong secret", "tampered", "too old", "no header"])
def test_a_bad_signature_is_refused_and_writes_nothing(client, settings, intent, problem):
    payload = succeeded(intent)
    if problem == "wrong secret":
        answer = post(client, payload, "whsec_someone_else")
    elif problem == "tampered":
        header = sign_payload(payload, settings.CARD_WEBHOOK_SECRET)
        answer = client.post(
            WEBHOOK,
            payload.replace(b"25000", b"99999"),
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=header,
        )
    elif problem == "too old":
        answer = post(
            client, payload, settings.CARD_WEBHOOK_SECRET, timestamp=int(time.time()) - 3600
        )
    else:
        answer = client.post(WEBHOOK, payload, content_type="application/json")
    assert answer.status_code == 400
    assert not LedgerEntry.objects.exists() and not CardEvent.objects.exists()


def test_the_webhook_takes_no_get_and_needs_no_csrf_token(settings, intent):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.get(WEBHOOK).status_code == 405
    assert post(strict, succeeded(intent), settings.CARD_WEBHOOK_SECRET).status_code == 200


def test_a_refund_at_the_provider_is_a_refund_on_the_ledger_once(client, settings, intent):
    post(client, succeeded(intent), settings.CARD_WEBHOOK_SECRET)
    post(client, refunded(intent, 5000), settings.CARD_WEBHOOK_SECRET)
    post(client, refunded(intent, 5000), settings.CARD_WEBHOOK_SECRET)  # the same event again
    # A second, later refund: the event carries the total refunded so far.
    post(client, refunded(intent, 7500, event_id="evt_r2"), settings.CARD_WEBHOOK_SECRET)
    refunds = LedgerEntry.objects.filter(kind="refund").order_by("pk")
    assert [r.amount_usd for r in refunds] == [D("50.00"), D("25.00")]
    assert all(r.reason and r.refund_of.reference == intent.intent_id for r in refunds)


def test_a_refund_made_at_the_desk_is_not_recorded_twice(client, settings, front_desk, intent):
    post(client, succeeded(intent), settings.CARD_WEBHOOK_SECRET)
    payment = LedgerEntry.objects.get()
    refund = cards.card_refund(payment=payment, by=front_desk, amount_usd=D("40.00"),
                               reason="Courtesy", idempotency_key="r-1")  # fmt: skip
    assert refund.reference.startswith("re_fake_") and refund.reason == "Courtesy"
    post(client, refunded(intent, 4000), settings.CARD_WEBHOOK_SECRET)
    assert LedgerEntry.objects.filter(kind="refund").count() == 1


def test_an_event_about_no_payment_of_ours_is_kept_and_pays_nothing(db, client, settings):
    payload = _event(
        "payment_intent.succeeded",
        {"object": "payment_intent", "id": "pi_other", "amount": 100, "amount_received": 100},
    )
    assert post(client, payload, settings.CARD_WEBHOOK_SECRET).status_code == 200
    assert CardEvent.objects.get().note and not LedgerEntry.objects.exists()


def test_the_desk_starts_a_payment_and_sees_it_paid(login, front_desk, patient, settings):
    client = login(front_desk)
    url = reverse("billing:card_payment", args=[patient.pk])
    page = client.get(url)
    key = page.context["form"].initial["idempotency_key"]
    for _ in range(2):  # a double click: one payment
        client.post(url, {"action": "start", "amount_usd": "120.00", "idempotency_key": key})
    intent = CardIntent.objects.get()
    assert client.get(url).context["intents"][0].shown_status == "waiting"
    client.post(url, {"action": "simulate", "intent": intent.pk})
    page = client.get(url)
    assert page.context["intents"][0].shown_status == "paid"
    assert LedgerEntry.objects.get().amount_usd == D("-120.00")


def test_a_bad_amount_is_a_field_error_and_writes_nothing(login, front_desk, patient):
    client = login(front_desk)
    url = reverse("billing:card_payment", args=[patient.pk])
    page = client.post(url, {"action": "start", "amount_usd": "0", "idempotency_key": "k"})
    assert page.status_code == 200 and "amount_usd" in page.context["form"].errors
    assert not CardIntent.objects.exists()


def test_the_api_starts_checks_and_refunds(login, front_desk, patient, settings):
    client = login(front_desk)
    base = f"/api/v1/patients/{patient.pk}/card-payments/"
    made = client.post(
        base, {"amount_usd": "80.00", "idempotency_key": "api-1"}, content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["status"] == "waiting"
    again = client.post(
        base, {"amount_usd": "80.00", "idempotency_key": "api-1"}, content_type="application/json"
    )
    assert again.json()["id"] == made.json()["id"]
    intent = CardIntent.objects.get()
    post(client, succeeded(intent), settings.CARD_WEBHOOK_SECRET)
    shown = client.get(f"{base}{intent.pk}/").json()
    assert shown["status"] == "paid" and shown["payment"]
    refund = client.post(
        f"{base}{intent.pk}/refund/",
        {"amount_usd": "100.00", "reason": "x"},
        content_type="application/json",
    )
    assert refund.status_code == 400 and "amount_usd" in refund.json()["errors"]
    refund = client.post(
        f"{base}{intent.pk}/refund/",
        {"amount_usd": "30.00", "reason": "Fee"},
        content_type="application/json",
    )
    assert refund.status_code == 201 and refund.json()["amount_usd"] == "30.00"


# --- The Stripe implementation, against a local fake of Stripe's API ------------------------


@pytest.fixture
def stripe_local(settings):
    with fake_stripe() as server:
        settings.CARD_PROVIDER = "stripe"
        settings.STRIPE_SECRET_KEY = "sk_test_local"  # noqa: S105
        settings.STRIPE_WEBHOOK_SECRET = "whsec_local_test"  # noqa: S105
        settings.STRIPE_API_BASE = server.base
        yield server


def test_stripe_intents_carry_the_idempotency_key(stripe_local, patient, front_desk):
    first = cards.card_payment_start(patient=patient, by=front_desk, amount_usd=D("99.50"),
                                     idempotency_key="key-A")  # fmt: skip
    assert first.provider == "stripe" and first.intent_id == "pi_local_1"
    # The provider is asked again with the same key (the row was not saved, say): same intent.
    again = StripeCardProvider().create_payment_intent(
        amount_usd=D("99.50"), patient=patient, idempotency_key="key-A"
    )
    assert again.id == first.intent_id and len(stripe_local.intents) == 1
    sent = stripe_local.requests[0]
    assert sent["path"] == "/v1/payment_intents" and sent["headers"]["Idempotency-Key"] == "key-A"
    assert sent["form"]["amount"] == "9950" and sent["form"]["currency"] == "usd"
    assert sent["headers"]["Authorization"] == "Bearer sk_test_local"
    assert str(patient.legal_name) not in json.dumps(sent["form"])  # no name to the provider


def test_stripe_refusal_is_a_field_error_and_writes_nothing(stripe_local, patient, front_desk):
    stripe_local.refuse_next = True
    with pytest.raises(ValidationError) as refused:
        cards.card_payment_start(patient=patient, by=front_desk, amount_usd=D("10.00"))
    assert "declined" in refused.value.message_dict["amount_usd"][0]
    assert not CardIntent.objects.exists()


def test_stripe_webhook_signatures_are_checked_by_the_stripe_package(
    stripe_local, client, patient, front_desk
):
    intent = cards.card_payment_start(patient=patient, by=front_desk, amount_usd=D("20.00"))
    assert post(client, succeeded(intent), "whsec_wrong").status_code == 400
    assert not LedgerEntry.objects.exists()
    assert post(client, succeeded(intent), "whsec_local_test").status_code == 200
    assert LedgerEntry.objects.get().amount_usd == D("-20.00")


def test_stripe_check_now_records_a_succeeded_intent(stripe_local, patient, front_desk):
    intent = cards.card_payment_start(patient=patient, by=front_desk, amount_usd=D("20.00"))
    assert cards.card_payment_check(intent=intent, by=front_desk) == "requires_payment_method"
    stripe_local.intents[intent.intent_id]["status"] = "succeeded"
    assert cards.card_payment_check(intent=intent, by=front_desk) == "succeeded"
    cards.card_payment_check(intent=intent, by=front_desk)
    assert LedgerEntry.objects.get().amount_usd == D("-20.00")


def test_stripe_refund_goes_through_the_provider(stripe_local, client, patient, front_desk):
    intent = cards.card_payment_start(patient=patient, by=front_desk, amount_usd=D("20.00"))
    post(client, succeeded(intent), "whsec_local_test")
    refund = cards.card_refund(
        payment=LedgerEntry.objects.get(),
        by=front_desk,
        amount_usd=D("5.00"),
        reason="Overcharged",
        idempotency_key="rk",
    )
    assert refund.reference == "re_local_2"
    sent = stripe_local.requests[-1]
    assert sent["path"] == "/v1/refunds" and sent["form"] == {
        "payment_intent": intent.intent_id,
        "amount": "500",
    }
    assert sent["headers"]["Idempotency-Key"] == "rk"


def test_a_burst_of_events_is_refused_with_429_after_the_signature_check(client, settings, intent):
    """CARD_WEBHOOK_PER_MINUTE signed events per client IP: the next is a 429 (the provider
    sends it again later) and writes nothing; a bad signature is still a 400 first."""
    settings.CARD_WEBHOOK_PER_MINUTE = 3
    secret = settings.CARD_WEBHOOK_SECRET
    for n in range(3):
        failed = _event("payment_intent.payment_failed", {
            "object": "payment_intent", "id": intent.intent_id, "status": "requires_payment_method",
        }, f"evt_f{n}")  # fmt: skip
        assert post(client, failed, secret).status_code == 200
    kept = CardEvent.objects.count()
    refused = post(client, succeeded(intent, event_id="evt_burst"), secret)
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert CardEvent.objects.count() == kept and not LedgerEntry.objects.exists()
    # A forged event over the limit is still refused by its signature (400), not counted.
    assert post(client, succeeded(intent), "whsec_someone_else").status_code == 400
    # The next minute the same event is taken.
    from billing.views.cards import webhook_rate_key
    from clinic.broker import redis_client

    redis_client().delete(webhook_rate_key("127.0.0.1"))
    assert post(client, succeeded(intent, event_id="evt_burst"), secret).status_code == 200
    assert LedgerEntry.objects.get().amount_usd == D("-250.00")


def test_the_webhook_takes_the_event_when_the_rate_counter_is_down(
    client, settings, intent, monkeypatch
):
    from redis.exceptions import ConnectionError as RedisDown

    def down(*args, **kwargs):
        raise RedisDown("no redis")

    monkeypatch.setattr("clinic.broker.redis_client", down)
    answer = post(client, succeeded(intent), settings.CARD_WEBHOOK_SECRET)
    assert answer.status_code == 200 and LedgerEntry.objects.count() == 1
