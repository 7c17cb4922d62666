from django.conf import settings
from django.db import models
from django.db.models import Q

from clinic.append_only import append_only_triggers, correction_has_reason

from .corrections import correction_same_patient_trigger
from .patient import Patient

STAFF = settings.AUTH_USER_MODEL


class MeasureKind(models.TextChoices):
    PAIN_NRS = "pain_nrs", "Pain NRS (0-10)"
    FIQR = "fiqr", "FIQR"
    ACR_2016 = "acr_2016", "2016 ACR fibromyalgia criteria"
    PHQ9 = "phq9", "PHQ-9"


class OutcomeMeasure(models.Model):
    """One completed questionnaire or score. The answers are kept as given; the score is
    computed once by patients.scoring at the time it is recorded."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="measures")
    kind = models.CharField(max_length=10, choices=MeasureKind.choices)
    answers = models.JSONField(help_text="The items as answered, by item name.")
    score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    interpretation = models.CharField(max_length=120, blank=True)
    details = models.JSONField(default=dict, blank=True, help_text="Domain scores and reasons.")
    context = models.CharField(
        max_length=20,
        default="baseline",
        help_text="baseline, pre_infusion, post_infusion or follow_up",
    )
    # A patient may fill a questionnaire on a tablet; it is saved when the staff member who
    # reviewed it with them (recorded_by) submits it. Answered from home through a patient
    # link, no staff member is involved: recorded_by is empty and the outcomes app's
    # LinkAnswer row names the link (patients cannot point at outcomes, which sits above it).
    completed_by_patient = models.BooleanField(default=False)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        STAFF, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    needs_same_day_follow_up = models.BooleanField(default=False)
    # A mistaken entry is never edited: a new row of the same patient and kind ``corrects``
    # it, with the reason (recorded_by/recorded_at: who corrected it, when). The corrected
    # row drops out of every series; ``taken_at`` keeps the original's time, so the
    # correction takes its place in a series (empty on rows that are not corrections).
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by"
    )
    correction_reason = models.TextField(blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        triggers = [
            *append_only_triggers(),
            correction_same_patient_trigger("patients_outcomemeasure", "kind"),
        ]
        ordering = ["-recorded_at", "-pk"]
        indexes = [
            models.Index(fields=["patient", "kind", "-recorded_at"]),
            # PHQ-9s whose item 9 asks for a same-day follow-up (the physician's home), not
            # every measure ever recorded.
            models.Index(
                fields=["patient"],
                condition=Q(kind=MeasureKind.PHQ9, needs_same_day_follow_up=True),
                name="measure_phq9_item9_raised",
            ),
        ]
        constraints = [
            correction_has_reason(
                "measure_correction_has_reason", "Say what was wrong with the entry."
            ),
            # Only the patient's own answers may be recorded without a member of staff.
            models.CheckConstraint(
                condition=Q(recorded_by__isnull=False) | Q(completed_by_patient=True),
                name="measure_recorded_by_staff_or_patient",
                violation_error_message="Say which member of staff recorded the measure.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.score} ({self.recorded_at:%Y-%m-%d})"

    @property
    def is_corrected(self) -> bool:
        return hasattr(self, "corrected_by")

    @property
    def given_at(self):
        """When the answers were given: a correction's original time."""
        return self.taken_at or self.recorded_at


class Phq9FollowUp(models.Model):
    """A physician's same-day follow-up of a PHQ-9 with a non-zero item 9 (self-harm)."""

    measure = models.OneToOneField(
        OutcomeMeasure, on_delete=models.PROTECT, related_name="follow_up"
    )
    note = models.TextField(help_text="What was assessed and done.")
    physician = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"PHQ-9 follow-up by {self.physician}"
