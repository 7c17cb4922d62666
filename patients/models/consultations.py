from django.conf import settings
from django.db import models
from phonenumber_field.modelfields import PhoneNumberField

from clinic.append_only import StatusChange, append_only_triggers
from clinic.models import Location
from clinic.transitions import NEW, Transitions

from .patient import Patient


class Stage(models.TextChoices):
    """Where a request is on its way from the first contact to the first infusion."""

    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    CONSULTATION_BOOKED = "consultation_booked", "Consultation booked"
    REGISTERED = "registered", "Registered"
    FIRST_INFUSION_BOOKED = "first_infusion_booked", "First infusion booked"
    LOST = "lost", "Declined / lost"


# A request may skip stages (a caller ready to register at once) but never goes back, save
# one step: a cancelled consultation may send it back to "contacted" (the desk's choice).
# Lost and first infusion booked are final (a lead that comes back is a new request).
STAGES = Transitions(
    {
        NEW: {Stage.NEW},
        Stage.NEW: {Stage.CONTACTED, Stage.CONSULTATION_BOOKED, Stage.REGISTERED, Stage.LOST},
        Stage.CONTACTED: {Stage.CONSULTATION_BOOKED, Stage.REGISTERED, Stage.LOST},
        Stage.CONSULTATION_BOOKED: {Stage.CONTACTED, Stage.REGISTERED, Stage.LOST},
        Stage.REGISTERED: {Stage.FIRST_INFUSION_BOOKED, Stage.LOST},
        Stage.FIRST_INFUSION_BOOKED: set(),
        Stage.LOST: set(),
    },
    what="A request",
    labels=Stage,
    field="stage",
)
OPEN_STAGES = [Stage.NEW, Stage.CONTACTED, Stage.CONSULTATION_BOOKED, Stage.REGISTERED]
# Before registration: the desk can still contact, book a consultation or register.
BEFORE_REGISTRATION = [Stage.NEW, Stage.CONTACTED, Stage.CONSULTATION_BOOKED]


class ConsultationRequest(models.Model):
    """A request for a consultation (website form, phone call or referral): the front desk's
    pipeline from the first contact to the first infusion. ``stage`` is the one truth: the
    latest row of its append-only stage history. (The older queue ``status`` was folded into
    it: open is new/contacted/consultation booked, converted is registered or later, closed
    is lost, its reason in ``closed_reason``.)"""

    class Source(models.TextChoices):
        WEBSITE = "website", "Website form"
        PHONE = "phone", "Phone call"
        REFERRAL = "referral", "Referral"

    name = models.CharField(max_length=150)
    phone = PhoneNumberField()
    email = models.EmailField(blank=True)
    date_of_birth = models.DateField(null=True, blank=True, help_text="If the caller gave it.")
    preferred_location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="consultation_requests"
    )
    message = models.TextField(blank=True, max_length=2000)
    # Where the lead came from (reports count conversion by it); the public form is "website".
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEBSITE)
    referred_by = models.CharField(
        max_length=150, blank=True, help_text="The referring clinician, for a referral."
    )
    stage = models.CharField(max_length=24, choices=Stage.choices, default=Stage.NEW)
    closed_reason = models.CharField(max_length=300, blank=True)
    patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["stage", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(stage="lost") | ~models.Q(closed_reason=""),
                name="consultation_lost_request_has_reason",
                violation_error_message="A lost request needs a reason.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_stage_display()})"


class ConsultationStageChange(StatusChange):
    """Who moved a request to which stage, when and why (append-only). The first row (to
    "new") is written with the request; ``changed_by`` is empty for the public form."""

    request = models.ForeignKey(
        ConsultationRequest, on_delete=models.PROTECT, related_name="stage_changes"
    )
    from_stage = models.CharField(max_length=24, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=24, choices=Stage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(StatusChange.Meta):
        indexes = [models.Index(fields=["request", "changed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(to_stage="lost") | ~models.Q(reason=""),
                name="consultation_lost_has_reason",
                violation_error_message="A lost request needs a reason.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_stage or 'new'} → {self.to_stage}"


class ContactAttempt(models.Model):
    """One try at reaching the requester (append-only): when, how, and what came of it."""

    class Channel(models.TextChoices):
        PHONE = "phone", "Phone call"
        SMS = "sms", "Text message"
        EMAIL = "email", "Email"

    class Outcome(models.TextChoices):
        REACHED = "reached", "Reached"
        VOICEMAIL = "voicemail", "Left a voicemail"
        NO_ANSWER = "no_answer", "No answer"
        WRONG_NUMBER = "wrong_number", "Wrong number"
        DECLINED = "declined", "Reached: declined"

    request = models.ForeignKey(
        ConsultationRequest, on_delete=models.PROTECT, related_name="contact_attempts"
    )
    attempted_at = models.DateTimeField()
    channel = models.CharField(max_length=8, choices=Channel.choices)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["attempted_at", "pk"]
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.get_outcome_display()}"
