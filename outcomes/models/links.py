"""Patient links: the way a patient answers a course's due measures from home.

A ``PatientLink`` is one link for one patient and one course, covering the measures that
were open when it was made (``items``, a snapshot: the page asks exactly these). The URL
carries ``tokens.link_token(link)``: the link's id signed with the project's key, nothing
about the patient. The row decides whether it still works (``expires_at``, ``revoked_at``,
``submitted_at``), keeps the wrong date-of-birth answers (the throttle survives restarts
and is shared by every worker) and the answers saved so far (``draft``) until the patient
submits. Submitting writes ordinary ``patients.OutcomeMeasure`` rows, each named by a
``LinkAnswer`` row: that is who recorded a patient-reported measure.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinic.append_only import append_only_triggers
from clinic.patient_links import DateOfBirthThrottle
from patients.models import OutcomeMeasure, Patient
from scheduling.models import Course, OutboundMessage

STAFF = settings.AUTH_USER_MODEL


class LinkLanguage(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Español"


class LinkQuerySet(models.QuerySet):
    def live(self, now=None):
        """Not revoked, not submitted, not expired."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, submitted_at__isnull=True, expires_at__gt=now)


class PatientLink(DateOfBirthThrottle):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="outcome_links")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="outcome_links")
    items = models.JSONField(
        help_text="The due measures the link asks for: measure, timing, param, infusion, "
        "context and label of each, as they were when the link was made."
    )
    due_key = models.CharField(
        max_length=64, help_text="The due set in one string: the sweep sends a set only once."
    )
    language = models.CharField(max_length=2, choices=LinkLanguage.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        STAFF,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="Empty: sent by the sweep when the measures fell due.",
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        STAFF, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    revoke_reason = models.CharField(max_length=200, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Save-and-continue: the answers so far, by step number ("1", "2" ...).
    draft = models.JSONField(default=dict, blank=True)
    # The date-of-birth step's throttle (failed_dob_attempts, locked_until): DateOfBirthThrottle.
    new_link_requested_at = models.DateTimeField(
        null=True, blank=True, help_text="The patient asked for a new link from this one."
    )
    new_link_request_handled_at = models.DateTimeField(null=True, blank=True)

    objects = LinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Never two open links for one course: making a new one closes the old first.
            models.UniqueConstraint(
                fields=["course"],
                condition=Q(revoked_at__isnull=True, submitted_at__isnull=True),
                name="patientlink_one_open_per_course",
                violation_error_message="This course already has an open link.",
            ),
        ]

    def __str__(self) -> str:
        return f"Measures link {self.pk} · course {self.course_id}"

    def state(self, now=None) -> str:
        """submitted, revoked, expired or live."""
        now = now or timezone.now()
        if self.submitted_at:
            return "submitted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "live"

    def link_works(self) -> bool:
        return self.state() == "live"


class LinkAnswer(models.Model):
    """Which link carried a patient-reported measure: its recorder, since no member of staff
    recorded it (``OutcomeMeasure.recorded_by`` is empty on these rows). Append-only."""

    link = models.ForeignKey(PatientLink, on_delete=models.PROTECT, related_name="answers")
    measure = models.OneToOneField(
        OutcomeMeasure, on_delete=models.PROTECT, related_name="link_answer"
    )
    item = models.PositiveSmallIntegerField(help_text="The index in the link's items.")

    class Meta:
        triggers = append_only_triggers()
        constraints = [
            models.UniqueConstraint(fields=["link", "item"], name="linkanswer_once_per_item")
        ]

    def __str__(self) -> str:
        return f"Link {self.link_id} item {self.item}"


class LinkMessage(models.Model):
    """An outbox message that carries a link: the outbox words it through outcomes
    (``outcomes.sending``) when it sends it, so the token is never stored."""

    link = models.ForeignKey(PatientLink, on_delete=models.PROTECT, related_name="messages")
    message = models.OneToOneField(
        OutboundMessage, on_delete=models.PROTECT, related_name="outcome_link"
    )

    def __str__(self) -> str:
        return f"Link {self.link_id} message {self.message_id}"
