"""API keys (one per integration, not per person), the log of their calls, and the
idempotency records of POSTs.

A key's secret is shown once, when it is created; only its SHA-512 hash is stored
(djangorestframework-api-key's ``AbstractAPIKey``: ``prefix`` finds the row, ``hashed_key``
checks the secret). Each key acts as its own service user (``user``): the roles its scopes
need and its allowed sites, so every existing role rule and site scope of the API applies
to it unchanged, and every row it writes or reads is attributed to the integration.
"""

import ipaddress

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from rest_framework_api_key.models import AbstractAPIKey

from clinic.append_only import append_only_triggers
from clinic.models import Location

from .scopes import Scope, allows


def validate_network(value: str) -> None:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValidationError(
            f"{value!r} is not an IP address or network (e.g. 203.0.113.7 or 203.0.113.0/24).",
            code="invalid",
        ) from None


class ApiKey(AbstractAPIKey):
    scopes = ArrayField(
        models.CharField(max_length=20, choices=Scope.choices),
        default=list,
        help_text="What the integration may read or write, per resource group.",
    )
    sites = models.ManyToManyField(
        Location, related_name="+", help_text="The only sites whose rows the key sees."
    )
    allowed_networks = ArrayField(
        models.CharField(max_length=64, validators=[validate_network]),
        default=list,
        blank=True,
        help_text="Calls only from these addresses or networks (empty: from anywhere).",
    )
    requests_per_minute = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Rate limit of this key (empty: API_KEY_RATE, 600/minute by default).",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_key",
        editable=False,
        help_text="The service user the key acts as (its roles and sites follow the key).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    use_count = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "API key"
        verbose_name_plural = "API keys"

    def clean(self) -> None:
        super().clean()
        unknown = set(self.scopes) - set(Scope.values)
        if unknown:
            raise ValidationError({"scopes": f"Unknown scopes: {', '.join(sorted(unknown))}."})
        if not self.scopes:
            raise ValidationError({"scopes": "A key needs at least one scope."})

    def is_usable(self, now=None) -> bool:
        expired = self.expiry_date is not None and self.expiry_date <= (now or timezone.now())
        return not self.revoked and not expired

    def allows_address(self, address: str | None) -> bool:
        if not self.allowed_networks:
            return True
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(ip in ipaddress.ip_network(net, strict=False) for net in self.allowed_networks)


class KeyCall(models.Model):
    """One row per request made with a key, allowed or refused (append-only): which
    integration called what, when, from where, and the answer. No request or response body.
    Reads of a patient's record are also in the audit access log, as the key's user."""

    key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="calls")
    at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    view_name = models.CharField(max_length=120, blank=True)
    status_code = models.PositiveSmallIntegerField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["key", "-at"], name="keycall_key_at")]
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status_code}"


class IdempotencyRecord(models.Model):
    """The first answer to a POST sent with an ``Idempotency-Key``, kept 24 hours
    (``IDEMPOTENCY_KEY_HOURS``) so a retry gets it again instead of writing twice. The body
    may hold patient data: it is deleted with the record (``tasks.idempotency_records_clear``).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of the method, path and body of the first request."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status_code = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=300, blank=True)
    body = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_one_per_user_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code})"


class WebhookEvent(models.TextChoices):
    PATIENT_REGISTERED = "patient.registered", "Patient registered"
    APPOINTMENT_BOOKED = "appointment.booked", "Appointment booked"
    APPOINTMENT_RESCHEDULED = "appointment.rescheduled", "Appointment rescheduled"
    APPOINTMENT_CANCELLED = "appointment.cancelled", "Appointment cancelled"
    INFUSION_COMPLETED = "infusion.completed", "Infusion completed"
    COURSE_COMPLETED = "course.completed", "Course completed"
    MEASURE_RECORDED = "measure.recorded", "Outcome measure recorded"
    TEST = "test", "Test event"


# The resource group whose read scope a key needs to receive an event's resource itself
# (``include_phi``), and the link in the event's data that names that resource.
EVENT_RESOURCES: dict[str, tuple[str, str]] = {
    WebhookEvent.PATIENT_REGISTERED: ("patients", "patient"),
    WebhookEvent.APPOINTMENT_BOOKED: ("scheduling", "appointment"),
    WebhookEvent.APPOINTMENT_RESCHEDULED: ("scheduling", "appointment"),
    WebhookEvent.APPOINTMENT_CANCELLED: ("scheduling", "appointment"),
    WebhookEvent.COURSE_COMPLETED: ("scheduling", "course"),
    WebhookEvent.INFUSION_COMPLETED: ("charting", "infusion_record"),
    WebhookEvent.MEASURE_RECORDED: ("charting", "measure"),
}


class WebhookSubscription(models.Model):
    """An integration's endpoint for events at its key's sites. Payloads carry ids and API
    links; the resource itself (personal or clinical data) only with ``include_phi``, which
    needs the key's read scope of each event's resource group (``EVENT_RESOURCES``)."""

    key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="webhooks")
    url = models.URLField(max_length=500, help_text="HTTPS endpoint that receives the events.")
    events = ArrayField(models.CharField(max_length=40, choices=WebhookEvent.choices))
    secret = models.CharField(
        max_length=64, editable=False, help_text="Signs each delivery (HMAC-SHA256)."
    )
    include_phi = models.BooleanField(
        "include the resource",
        default=False,
        help_text="Each delivery also carries the event's resource as the API shows it to "
        "the key (names, clinical values). Needs the key's read scope of every chosen "
        "event's resource group.",
    )
    is_active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return f"{self.key} -> {self.url}"

    def clean(self) -> None:
        super().clean()
        if not self.include_phi or self.key_id is None:
            return
        missing = sorted(
            {f"{group}:read" for group in self.phi_groups() if not self.may_read(group)}
        )
        if missing:
            raise ValidationError(
                {
                    "include_phi": "The key's scopes do not allow it to read what these events "
                    f"are about: it needs {', '.join(missing)} (or leave this unticked)."
                }
            )

    def phi_groups(self) -> set[str]:
        return {EVENT_RESOURCES[event][0] for event in self.events if event in EVENT_RESOURCES}

    def may_read(self, group: str) -> bool:
        return allows(self.key.scopes, group, writing=False)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (gave up)"


class WebhookDelivery(models.Model):
    """The outbox: one event for one subscription, written in the transaction that made the
    event, sent by ``webhooks.deliveries_send`` (Celery beat), retried with backoff."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True, help_text="The first 2,000 characters.")
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event} -> {self.subscription_id} ({self.status})"
