"""Card payments through the provider and course packages at the desk, the visits to
charge by hand, and the provider's webhook (public, CSRF-exempt, signature-checked)."""

import json
import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from redis.exceptions import RedisError

from clinic.access import role_required
from clinic.broker import over_limit
from clinic.forms import refusal_text, run_service
from clinic.roles import DESK
from patients.selectors import patient_for
from scheduling.selectors.scope import appointments_for

from ..card_providers import SignatureError, get_card_provider, sign_payload
from ..forms_cards import (
    CardPaymentForm,
    ChargeReviewWaiveForm,
    PackageReleaseForm,
    PackageSellForm,
)
from ..models import CardIntent, ChargeReview, PackagePurchase
from ..selectors.ledger import balance_usd
from ..selectors.packages import charges_to_review_for, packages_of
from ..services import cards, packages
from ..services.charging import charge_review_waive as waive_service

KEEPERS = DESK
WEBHOOK_WINDOW_SECONDS = 60
logger = logging.getLogger(__name__)


def _intents(patient):
    return list(
        CardIntent.objects.filter(patient=patient)
        .select_related("settlement", "created_by")
        .prefetch_related("events")
        .order_by("-created_at", "-pk")[:20]
    )


@role_required(*KEEPERS)
def card_payment(request, pk):
    """Take a card payment: start an intent (the card is then presented on the provider's
    reader or form), see each intent's status, *Check now* records a succeeded one."""
    patient = patient_for(request.user, pk)
    form, status = CardPaymentForm(), 200
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "start":
        form = CardPaymentForm(request.POST)
        if form.is_valid():
            intent, status = run_service(form, lambda: cards.card_payment_start(
                patient=patient, by=request.user, **form.cleaned_data
            ))  # fmt: skip
            if intent:
                messages.success(request, f"Card payment of ${intent.amount_usd} started: "
                                 "present the card.")  # fmt: skip
                return redirect(reverse("billing:card_payment", args=[patient.pk]))
    elif action in ("check", "simulate"):
        intent = get_object_or_404(CardIntent, patient=patient, pk=request.POST.get("intent"))
        try:
            if action == "simulate" and get_card_provider().name == "fake":
                _simulate_success(intent)
            found = cards.card_payment_check(intent=intent, by=request.user)
            messages.info(request, f"The provider says: {found.replace('_', ' ')}.")
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, refusal_text(error))
        return redirect(reverse("billing:card_payment", args=[patient.pk]))
    intents = _intents(patient)
    for intent in intents:
        intent.shown_status = cards.intent_status(intent)
    context = {
        "patient": patient, "form": form, "intents": intents, "balance": balance_usd(patient),
        "fake": get_card_provider().name == "fake",
    }  # fmt: skip
    return render(request, "billing/card_payment.html", context, status=status)


def _simulate_success(intent: CardIntent) -> None:
    """Dev only (the fake provider): what the provider's webhook would send."""
    from django.conf import settings

    payload = json.dumps({
        "id": f"evt_sim_{intent.intent_id}", "type": "payment_intent.succeeded",
        "data": {"object": {"object": "payment_intent", "id": intent.intent_id,
                            "amount_received": int(intent.amount_usd * 100)}},
    }).encode()  # fmt: skip
    event = get_card_provider().parse_event(
        payload, sign_payload(payload, settings.CARD_WEBHOOK_SECRET)
    )
    cards.card_event_receive(event)


@role_required(*KEEPERS)
def patient_packages(request, pk):
    """The patient's course packages: sold, used, given back, left; sell one; give back
    unused infusions pro rata with a reason."""
    patient = patient_for(request.user, pk)
    sell, release, status = PackageSellForm(), None, 200
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "sell":
        sell = PackageSellForm(request.POST)
        if sell.is_valid():
            done, status = run_service(sell, lambda: packages.package_sell(
                patient=patient, by=request.user, **sell.cleaned_data
            ))  # fmt: skip
            if done and getattr(done, "replayed", False):
                messages.info(request, f"{done} was already sold: the form was sent again, "
                              "nothing more was charged.")  # fmt: skip
            elif done:
                messages.success(request, f"{done} sold and charged.")
            if done:
                return redirect(reverse("billing:packages", args=[patient.pk]))
    elif action == "release":
        purchase = get_object_or_404(
            PackagePurchase, patient=patient, pk=request.POST.get("purchase")
        )
        release = PackageReleaseForm(request.POST)
        if release.is_valid():
            done, status = run_service(release, lambda: packages.package_release(
                purchase=purchase, by=request.user, **release.cleaned_data
            ))  # fmt: skip
            if done and getattr(done, "replayed", False):
                messages.info(request, "These infusions were already given back: the form "
                              "was sent again, nothing more was credited.")  # fmt: skip
            elif done:
                messages.success(request, f"{done.infusions} infusions given back: "
                                 f"${done.amount_usd} credited.")  # fmt: skip
            if done:
                return redirect(reverse("billing:packages", args=[patient.pk]))
        release.purchase_pk = purchase.pk
    context = {
        "patient": patient, "packages": packages_of(patient), "sell": sell, "release": release,
        "release_form": PackageReleaseForm(), "balance": balance_usd(patient),
    }  # fmt: skip
    return render(request, "billing/packages.html", context, status=status)


@role_required(*KEEPERS)
def charges_to_review(request):
    """Completed visits that could not be charged by themselves (no prices that day)."""
    reviews = charges_to_review_for(request.user)
    return render(request, "billing/charges_to_review.html", {"reviews": reviews})


@role_required(*KEEPERS)
@require_POST
def charge_review_waive(request, pk):
    """Waive a visit on "Charges to review": not charged, with the reason."""
    review = get_object_or_404(
        ChargeReview.objects.filter(appointment__in=appointments_for(request.user)), pk=pk
    )
    form = ChargeReviewWaiveForm(request.POST)
    status = 200
    if form.is_valid():
        _, status = run_service(form, lambda: waive_service(
            review=review, by=request.user, reason=form.cleaned_data["reason"]
        ))  # fmt: skip
        if not form.errors:
            messages.success(request, f"Charge waived: {review.appointment.patient.display_name}.")
            return redirect(reverse("billing:charges_to_review"))
    context = {
        "reviews": charges_to_review_for(request.user), "waive": form, "waive_pk": review.pk,
    }  # fmt: skip
    return render(request, "billing/charges_to_review.html", context, status=status)


def webhook_rate_key(ip: str) -> str:
    return f"ratelimit:card-webhook:{ip}"


def _over_webhook_limit(request) -> bool:
    """Count this event against the sender's IP; True once over CARD_WEBHOOK_PER_MINUTE in
    the minute. REMOTE_ADDR, as the contact form: behind a proxy, the proxy sets it. When
    Redis is down the event is taken (logged): a payment must not be lost."""
    key = webhook_rate_key(request.META.get("REMOTE_ADDR", "unknown"))
    try:
        return over_limit(key, settings.CARD_WEBHOOK_PER_MINUTE, WEBHOOK_WINDOW_SECONDS)
    except (RedisError, OSError):
        logger.exception("Card webhook rate limit unavailable; taking the event")
        return False


@csrf_exempt
@require_POST
def card_webhook(request):
    """The provider's events. The signature is checked first: a bad one is a 400 and
    nothing is written. Then the rate limit (CARD_WEBHOOK_PER_MINUTE signed events per
    client IP): over it, a 429 with ``Retry-After`` and nothing written (the provider sends
    the event again later). An event already received answers 200 and writes nothing."""
    header = request.headers.get("Stripe-Signature", "")
    try:
        event = get_card_provider().parse_event(request.body, header)
    except SignatureError as error:
        return HttpResponse(f"Refused: {error}", status=400, content_type="text/plain")
    if _over_webhook_limit(request):
        response = HttpResponse("Too many requests; send again later.", status=429,
                                content_type="text/plain")  # fmt: skip
        response["Retry-After"] = str(WEBHOOK_WINDOW_SECONDS)
        return response
    kept = cards.card_event_receive(event)
    return JsonResponse({"received": event.id, "duplicate": kept is None})
