"""A patient waiting for a chair sooner than they have one: a new patient who wants their
first course to start sooner, or a booked patient who wants one session moved earlier."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinic.append_only import StatusChange
from clinic.models import Location
from clinic.patient_links import DateOfBirthThrottle
from clinic.transitions import NEW, Transitions
from patients.models import Patient
from scheduling.models import Appointment, OutboundMessage


class Wish(models.TextChoices):
    START_SOONER = "start_sooner", "Start the first course sooner"
    MOVE_EARLIER = "move_earlier", "Move a booked session earlier"


class WaitlistStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    FILLED = "filled", "Filled"
    WITHDRAWN = "withdrawn", "Withdrawn"


S = WaitlistStatus
# Filled and withdrawn are final: a patient who wants to wait again gets a new entry.
ALLOWED = Transitions(
    {NEW: {S.ACTIVE}, S.ACTIVE: {S.FILLED, S.WITHDRAWN}, S.FILLED: set(), S.WITHDRAWN: set()},
    what="A waitlist entry",
    labels=S,
)

WEEKDAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


class WaitlistEntryQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=S.ACTIVE)


class WaitlistEntry(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="waitlist_entries")
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="waitlist_entries"
    )
    wish = models.CharField(max_length=16, choices=Wish.choices)
    appointment = models.ForeignKey(
        Appointment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="waitlist_entries",
        help_text="The booked session to move earlier (only for that wish).",
    )
    earliest_date = models.DateField(null=True, blank=True)
    latest_date = models.DateField(null=True, blank=True)
    # Days of the week the patient can come, Monday = 0; empty: any day.
    weekdays = ArrayField(
        models.PositiveSmallIntegerField(validators=[MinValueValidator(0), MaxValueValidator(6)]),
        default=list,
        blank=True,
    )
    earliest_time = models.TimeField(null=True, blank=True, help_text="Site time.")
    latest_time = models.TimeField(
        null=True, blank=True, help_text="Site time: the latest arrival the patient can make."
    )
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=WaitlistStatus.choices, default=S.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The session the entry was filled with: the moved one, or the new course's first.
    filled_with = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = WaitlistEntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "waitlist entries"
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "location", "wish"],
                condition=Q(status="active", appointment__isnull=True),
                name="waitlist_one_active_start_per_patient_site",
            ),
            models.UniqueConstraint(
                fields=["appointment"],
                condition=Q(status="active", appointment__isnull=False),
                name="waitlist_one_active_entry_per_appointment",
            ),
            models.CheckConstraint(
                condition=Q(wish="move_earlier", appointment__isnull=False)
                | Q(~Q(wish="move_earlier"), appointment__isnull=True),
                name="waitlist_appointment_exactly_for_move_earlier",
            ),
        ]
        indexes = [models.Index(fields=["location", "status"])]

    def __str__(self) -> str:
        return f"{self.patient} · {self.get_wish_display()} ({self.get_status_display()})"

    def clean(self) -> None:
        errors = {}
        if self.wish == Wish.MOVE_EARLIER and self.appointment_id is None:
            errors["appointment"] = "Pick the booked session to move earlier."
        if self.wish != Wish.MOVE_EARLIER and self.appointment_id is not None:
            errors["appointment"] = "Only a session to move earlier names an appointment."
        if self.earliest_date and self.latest_date and self.latest_date < self.earliest_date:
            errors["latest_date"] = "The last day is before the first day."
        if self.earliest_time and self.latest_time and self.latest_time < self.earliest_time:
            errors["latest_time"] = "The latest time is before the earliest time."
        if len(set(self.weekdays)) != len(self.weekdays):
            errors["weekdays"] = "A weekday is named twice."
        if errors:
            raise ValidationError(errors)

    @property
    def weekdays_text(self) -> str:
        return ", ".join(WEEKDAY_NAMES[d] for d in sorted(self.weekdays)) or "Any day"


class WaitlistStatusChange(StatusChange):
    """Who moved an entry to which status, when and why (append-only)."""

    entry = models.ForeignKey(
        WaitlistEntry, on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField(max_length=10, choices=WaitlistStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=WaitlistStatus.choices)

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"


# --- Offers: a freed chair offered to several waiting patients, first to accept gets it ---


class OfferStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    GONE = "gone", "Gone"  # the chair was taken another way (the desk filled it, a booking)
    EXPIRED = "expired", "Expired"
    WITHDRAWN = "withdrawn", "Withdrawn"


OS = OfferStatus
OFFER_ALLOWED = Transitions(
    {
        NEW: {OS.OPEN},
        OS.OPEN: {OS.ACCEPTED, OS.GONE, OS.EXPIRED, OS.WITHDRAWN},
        OS.ACCEPTED: set(),
        OS.GONE: set(),
        OS.EXPIRED: set(),
        OS.WITHDRAWN: set(),
    },
    what="A waitlist offer",
    labels=OS,
)


class OfferAnswer(models.TextChoices):
    WAITING = "waiting", "No answer yet"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    TOO_LATE = "too_late", "Too late (taken)"


class OfferLanguage(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Español"


class WaitlistOffer(models.Model):
    """A freed session's time, chair and nurse offered to waiting patients at once, each by
    their own link (``OfferRecipient``); the first to accept is moved into it."""

    freed = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, related_name="waitlist_offers",
        help_text="The cancelled or missed session whose chair is offered.",
    )  # fmt: skip
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=OfferStatus.choices, default=OS.OPEN)
    automatic = models.BooleanField(
        default=False, help_text="Sent by the system when the chair was freed."
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        help_text="The desk user who offered it (automatic: who freed the chair); an accepted "
        "offer is booked in their name.",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["freed"],
                condition=Q(status="open"),
                name="waitlistoffer_one_open_per_freed_session",
                violation_error_message="This chair is already on offer.",
            )
        ]

    def __str__(self) -> str:
        return f"Offer {self.pk} · session {self.freed_id} ({self.get_status_display()})"

    def state(self, now=None) -> str:
        """The status, with an open offer past its time read as expired."""
        if self.status == OS.OPEN and self.expires_at <= (now or timezone.now()):
            return OS.EXPIRED
        return self.status


class OfferRecipient(DateOfBirthThrottle):
    """One waiting patient an offer went to, with their own link (the row's id, signed:
    ``waitlist.tokens``) and its date-of-birth throttle."""

    offer = models.ForeignKey(WaitlistOffer, on_delete=models.PROTECT, related_name="recipients")
    entry = models.ForeignKey(WaitlistEntry, on_delete=models.PROTECT, related_name="offers")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    language = models.CharField(max_length=2, choices=OfferLanguage.choices)
    answer = models.CharField(max_length=10, choices=OfferAnswer.choices, default="waiting")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["offer", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "entry"], name="offerrecipient_once")
        ]

    def __str__(self) -> str:
        return f"Offer {self.offer_id} to entry {self.entry_id}"

    def link_works(self) -> bool:
        """Answered (or closed after too many wrong dates of birth): the link is done."""
        return self.answer == OfferAnswer.WAITING


class OfferStatusChange(StatusChange):
    """The offer's history (append-only): its status moves, and each recipient's part (sent,
    accepted, declined, told it is gone) with the status unchanged. ``changed_by`` empty: the
    patient through their link, or the system."""

    offer = models.ForeignKey(
        WaitlistOffer, on_delete=models.PROTECT, related_name="status_changes"
    )
    recipient = models.ForeignKey(
        OfferRecipient, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=10, choices=OfferStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=OfferStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"


class OfferPurpose(models.TextChoices):
    OFFER = "offer", "The offer"
    GONE = "gone", "The time has been taken"


class OfferMessage(models.Model):
    """An outbox message of an offer: the outbox words it through ``waitlist.sending`` when
    it sends it, so the link's token is never stored."""

    recipient = models.ForeignKey(OfferRecipient, on_delete=models.PROTECT, related_name="messages")
    message = models.OneToOneField(
        OutboundMessage, on_delete=models.PROTECT, related_name="waitlist_offer"
    )
    purpose = models.CharField(max_length=5, choices=OfferPurpose.choices)

    def __str__(self) -> str:
        return f"Offer recipient {self.recipient_id} message {self.message_id}"
