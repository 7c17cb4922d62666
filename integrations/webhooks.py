"""Webhooks: events written to an outbox in the transaction that made them, delivered by a
periodic task with an HMAC-SHA256 signature, retried with backoff, and a subscription
switched off after too many failures in a row.

Signature: ``X-Clinic-Timestamp: <unix seconds>`` and
``X-Clinic-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>``;
a receiver recomputes it and refuses old timestamps (replays).

Payloads carry ids and API links. A subscription with ``include_phi`` also gets the event's
resource (``data.resource``), read when the delivery is sent, as the key's service user
would read its link (same sites, same fields; in the access log as the key's read) and
only while the key still holds that resource group's read scope. It is never stored in
the outbox row: the payload kept there holds ids only.
"""

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import Resolver404, resolve
from django.utils import timezone

from audit.reads import log_read

from .models import (
    EVENT_RESOURCES,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)

TIMEOUT_SECONDS = 10


def _setting(name: str, default: int) -> int:
    return getattr(settings, name, default)


def new_secret() -> str:
    return secrets.token_hex(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


# Inside ``subscriptions_read_once``: (event, site id) -> the subscriptions, read once.
_read: ContextVar[dict | None] = ContextVar("webhook_subscriptions_read", default=None)


@contextmanager
def subscriptions_read_once() -> Iterator[None]:
    """Several sessions changed by one scheduling call (a course of 12 booked) read the
    subscriptions once per event and site (``scheduling.hooks.on_changes_together``)."""
    if _read.get() is not None:
        yield
        return
    token = _read.set({})
    try:
        yield
    finally:
        _read.reset(token)


def _subscriptions(event: str, location_id: int | None) -> list[WebhookSubscription]:
    held = _read.get()
    if held is not None and (event, location_id) in held:
        return held[(event, location_id)]
    subscriptions = WebhookSubscription.objects.filter(
        is_active=True, events__contains=[event], key__revoked=False
    )
    if location_id is not None:
        subscriptions = subscriptions.filter(key__sites=location_id)
    found = list(subscriptions.select_related("key").distinct())
    if held is not None:
        held[(event, location_id)] = found
    return found


def emit(event: str, *, location_id: int | None, data: dict) -> int:
    """Queue ``event`` for every active subscription to it whose key works at the site; in
    the caller's transaction (an event of a rolled-back write is never sent)."""
    now = timezone.now()
    rows = [
        WebhookDelivery(
            subscription=subscription,
            event=event,
            payload={"event": event, "occurred_at": now.isoformat(), "data": data},
            next_attempt_at=now,
        )
        for subscription in _subscriptions(event, location_id)
        if subscription.key.is_usable(now)
    ]
    WebhookDelivery.objects.bulk_create(rows)
    return len(rows)


def test_event(subscription: WebhookSubscription) -> WebhookDelivery:
    """The admin's "send a test event": queued like any other, sent by the next sweep."""
    return WebhookDelivery.objects.create(
        subscription=subscription,
        event=WebhookEvent.TEST,
        payload={"event": WebhookEvent.TEST, "occurred_at": timezone.now().isoformat(),
                 "data": {"subscription": subscription.pk}},
    )  # fmt: skip


def _post(url: str, body: bytes, headers: dict) -> tuple[int | None, str, str]:
    """(status, response text, error): a network failure has no status."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - the admin's URL
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, response.read(2000).decode(errors="replace"), ""
    except urllib.error.HTTPError as error:
        return error.code, error.read(2000).decode(errors="replace"), ""
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        return None, "", str(error)[:300]


def read_as(user, path: str) -> dict | None:
    """What ``GET path`` of the API answers ``user`` (None unless 200), logged in the access
    log like any read of theirs."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.META = {"REQUEST_METHOD": "GET", "SERVER_NAME": "webhooks", "SERVER_PORT": "443"}
    request.resolver_match, request.user = match, user
    request._force_auth_user = user  # DRF authenticates the request as this user
    response = match.func(request, *match.args, **match.kwargs)
    if hasattr(response, "render"):
        response.render()
    if response.status_code != 200:
        return None
    log_read(request)
    return json.loads(response.content)


def resource_for(delivery: WebhookDelivery) -> dict | None:
    """The event's resource for a subscription that includes it, or None."""
    subscription = delivery.subscription
    group, link = EVENT_RESOURCES.get(delivery.event, (None, None))
    if not subscription.include_phi or group is None:
        return None
    key = subscription.key
    path = delivery.payload.get("data", {}).get("links", {}).get(link)
    if not path or not subscription.may_read(group) or not key.is_usable():
        return None  # the key lost the scope (or was revoked) since the subscription
    return read_as(key.user, path)


def body_of(delivery: WebhookDelivery) -> bytes:
    payload = {"id": delivery.pk, **delivery.payload}
    resource = resource_for(delivery)
    if resource is not None:
        payload["data"] = {**payload["data"], "resource": resource}
    return json.dumps(payload).encode()


def deliver(delivery_id: int) -> str | None:
    """Send one due delivery (row-locked, so two workers never send it twice); its new
    status, or None when it was not due or already taken."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self", "subscription"))
            .select_related("subscription__key__user")
            .filter(
                pk=delivery_id,
                status=DeliveryStatus.PENDING,
                next_attempt_at__lte=timezone.now(),
                subscription__is_active=True,  # switched off since the sweep began
            )
            .first()
        )
        if delivery is None:
            return None
        subscription = delivery.subscription
        body = body_of(delivery)
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "ketamine-clinic-webhooks/1",
            "X-Clinic-Event": delivery.event,
            "X-Clinic-Delivery": str(delivery.pk),
            "X-Clinic-Timestamp": str(timestamp),
            "X-Clinic-Signature": signature(subscription.secret, timestamp, body),
        }
        status, text, error = _post(subscription.url, body, headers)
        delivery.attempts += 1
        delivery.response_status, delivery.response_body, delivery.error = status, text, error
        if status is not None and 200 <= status < 300:
            delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, timezone.now()
            subscription.consecutive_failures = 0
        else:
            _failed(delivery, subscription)
        delivery.save()
        subscription.save(update_fields=["consecutive_failures", "is_active", "disabled_at"])
        return delivery.status


def _failed(delivery: WebhookDelivery, subscription: WebhookSubscription) -> None:
    subscription.consecutive_failures += 1
    if delivery.attempts >= _setting("WEBHOOK_MAX_ATTEMPTS", 8):
        delivery.status = DeliveryStatus.FAILED
    else:
        base = _setting("WEBHOOK_RETRY_BASE_SECONDS", 30)
        delivery.next_attempt_at = timezone.now() + timedelta(
            seconds=base * 2 ** (delivery.attempts - 1)
        )
    if subscription.consecutive_failures >= _setting("WEBHOOK_DISABLE_AFTER_FAILURES", 20):
        subscription.is_active, subscription.disabled_at = False, timezone.now()


def deliveries_send(limit: int = 200) -> int:
    """The periodic sweep: send what is due; how many were tried."""
    due = WebhookDelivery.objects.filter(
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=timezone.now(),
        subscription__is_active=True,
    ).values_list("pk", flat=True)[:limit]
    return sum(deliver(pk) is not None for pk in list(due))
