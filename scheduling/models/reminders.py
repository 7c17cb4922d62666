"""Reminders: the rules and wording the clinic edits, and the outbox of messages.

An ``OutboundMessage`` row is written in the same transaction that books, moves or cancels
an appointment; a periodic sweep hands due rows to the worker. The row, not the broker,
is the source of truth: a message exists once, is claimed before it is sent and is marked
after, so a lost broker message or a second sweep never sends it twice.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.template import Template, TemplateSyntaxError
from phonenumber_field.modelfields import PhoneNumberField

from .courses import Appointment

# Words an SMS must never carry: a text on a lock screen may be read by anyone.
SMS_FORBIDDEN_WORDS = (
    "ketamine",
    "esketamine",
    "spravato",
    "infusion",
    "depression",
    "depressive",
    "ptsd",
    "fibromyalgia",
    "crps",
    "anxiety",
    "bipolar",
    "suicid",
    "diagnos",
)


class MessageKind(models.TextChoices):
    APPOINTMENT = "appointment", "Appointment reminder"
    ESCORT_PATIENT = "escort_patient", "Escort reminder to the patient"
    ESCORT_ESCORT = "escort_escort", "Pick-up reminder to the escort"
    WELCOME = "welcome", "Welcome (course booked)"
    # Worded and linked by the outcomes app (scheduling.hooks.outbox_kinds); no rule sends it.
    MEASURES = "measures", "Measures to answer from home"
    # Worded and linked by the waitlist app: an earlier time offered, or gone.
    WAITLIST_OFFER = "waitlist_offer", "Waitlist offer"


class MessageChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


class ReminderRule(models.Model):
    """When a kind of message goes out: ``hours_before`` the visit (welcome: on booking)."""

    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    hours_before = models.PositiveSmallIntegerField(
        default=24, help_text="Hours before the appointment. Ignored for the welcome message."
    )
    by_email = models.BooleanField("email", default=True)
    by_sms = models.BooleanField("SMS", default=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "-hours_before"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "hours_before"],
                name="reminder_rule_once_per_kind_and_offset",
                violation_error_message="There is already a rule for this kind and offset.",
            )
        ]

    def __str__(self) -> str:
        if self.kind == MessageKind.WELCOME:
            return self.get_kind_display()
        return f"{self.get_kind_display()} {self.hours_before} h before"

    @property
    def channels(self) -> list[str]:
        return [
            channel
            for channel, on in (
                (MessageChannel.EMAIL, self.by_email),
                (MessageChannel.SMS, self.by_sms),
            )
            if on
        ]


class MessageTemplate(models.Model):
    """The wording of one kind of message on one channel, in Django template syntax.

    Variables: patient_name, escort_name, location_name, location_address, location_phone,
    starts_at, pickup_at (local times: use ``|date:"D M j, g:i A"``), confirm_url.
    """

    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    channel = models.CharField(max_length=5, choices=MessageChannel.choices)
    subject = models.CharField(max_length=200, blank=True, help_text="Email only.")
    body = models.TextField(
        help_text="Variables: patient_name, escort_name, location_name, location_address, "
        'location_phone, starts_at and pickup_at (local times: |date:"D M j g:i A"), '
        "confirm_url. An SMS must not name a drug or a diagnosis."
    )

    class Meta:
        ordering = ["kind", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "channel"],
                name="message_template_once_per_kind_and_channel",
                violation_error_message="There is already a template for this kind and channel.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_channel_display()})"

    def clean(self) -> None:
        for field in ("subject", "body"):
            try:
                Template(getattr(self, field))
            except TemplateSyntaxError as error:
                raise ValidationError({field: f"Template error: {error}"}) from error
        if self.channel == MessageChannel.SMS:
            lowered = self.body.lower()
            found = [word for word in SMS_FORBIDDEN_WORDS if word in lowered]
            if found:
                raise ValidationError(
                    {"body": f"An SMS must not name a drug or a diagnosis ({', '.join(found)})."}
                )


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    SKIPPED = "skipped", "Skipped"


class OutboundMessage(models.Model):
    """One message to one recipient on one channel: the outbox row."""

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="messages")
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    channel = models.CharField(max_length=5, choices=MessageChannel.choices)
    # Filled in when the message is prepared: the address in force at sending time.
    recipient = models.CharField(max_length=254, blank=True)
    send_at = models.DateTimeField()
    status = models.CharField(
        max_length=9, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    reason = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Set (and committed) just before the provider is called, cleared after: a row still
    # carrying it was interrupted mid-call and must not be sent again blindly.
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["send_at", "pk"]
        constraints = [
            # Cancelled rows do not count: moving a visit away and back writes fresh rows.
            models.UniqueConstraint(
                fields=["appointment", "kind", "channel", "send_at"],
                condition=~Q(status="cancelled"),
                name="outbound_message_once",
            )
        ]
        indexes = [
            models.Index(
                fields=["send_at"], condition=Q(status="pending"), name="outbound_message_due"
            ),
            # The rows being sent, keyed by id. Keyed by claimed_at, Postgres chose it for
            # every per-row "WHERE id = ... AND status = 'sending'" UPDATE whenever its
            # statistics still said few rows were sending (a burst: the 08:00 release
            # after quiet hours, a 10,000-row benchmark) and filtered the whole index for
            # one id: O(n) per row. Keyed by id, any plan finds the row directly; the
            # once-a-minute reclaim reads this small index whole.
            models.Index(
                fields=["id"], condition=Q(status="sending"), name="outbound_message_sending"
            ),
            # The reminder report: the messages due in a range of days (cancelled ones are
            # left out), without reading the outbox's whole history.
            models.Index(
                fields=["send_at"], condition=~Q(status="cancelled"), name="outbound_message_report"
            ),
            # The front desk's failed reminders (day board, home): the few failed rows, not a
            # walk of the outbox's history joined to each visit (full size: 121 ms).
            models.Index(
                fields=["appointment"], condition=Q(status="failed"), name="outbound_message_failed"
            ),
        ]

    def __str__(self) -> str:
        channel = self.get_channel_display()
        return f"{self.get_kind_display()} by {channel} at {self.send_at:%Y-%m-%d %H:%M}"


class AppointmentConfirmation(models.Model):
    """The patient confirmed through the link in a reminder. Append-only log."""

    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, related_name="confirmations"
    )
    escort_name = models.CharField(max_length=120)
    escort_phone = PhoneNumberField()
    escort_may_be_contacted = models.BooleanField(
        default=False, help_text="The escort agreed to a pick-up reminder."
    )
    confirmed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-confirmed_at", "-pk"]

    def __str__(self) -> str:
        return f"Confirmed {self.confirmed_at:%Y-%m-%d %H:%M}"


class SmsOptOut(models.Model):
    """A number that replied STOP. Patients' own opt-outs are CommunicationConsent rows;
    this list also covers escorts, who have no consent record of their own."""

    phone = PhoneNumberField(unique=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "SMS opt-out"

    def __str__(self) -> str:
        return str(self.phone)
