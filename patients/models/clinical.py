"""Clinical intake, screening, clearance and weights.

These are clinical entries: never changed in place. A new intake or screening is a new row;
the latest one is the current one, and the earlier ones stay as history.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from clinic.append_only import append_only_triggers, correction_has_reason

from .corrections import correction_same_patient_trigger
from .patient import Patient

STAFF = settings.AUTH_USER_MODEL


class Comorbidity(models.TextChoices):
    HEADACHES = "headaches", "Headaches / migraine"
    DEPRESSION = "depression", "Depression"
    ANXIETY = "anxiety", "Anxiety"
    PTSD = "ptsd", "PTSD"
    IBS = "ibs", "Irritable bowel syndrome"
    LUPUS = "lupus", "Lupus"
    RHEUMATOID_ARTHRITIS = "rheumatoid_arthritis", "Rheumatoid arthritis"
    OTHER = "other", "Other"


class ClinicalIntake(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="intakes")
    diagnosis_code = models.CharField("ICD-10-CM code", max_length=10, default="M79.7")
    diagnosis_description = models.CharField(max_length=200, default="Fibromyalgia")
    diagnosed_on = models.DateField(null=True, blank=True)
    diagnosed_by = models.CharField(max_length=120, blank=True, help_text="Diagnosing clinician.")
    symptom_duration_months = models.PositiveIntegerField()
    comorbidities = ArrayField(
        models.CharField(max_length=30, choices=Comorbidity.choices), default=list, blank=True
    )
    comorbidity_other = models.CharField(max_length=200, blank=True)
    current_medications = models.TextField(blank=True)
    no_known_drug_allergies = models.BooleanField(default=False)
    allergies = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")

    class Meta:
        triggers = append_only_triggers()
        ordering = ["-recorded_at", "-pk"]
        get_latest_by = ["recorded_at", "pk"]
        constraints = [
            # Allergies are either listed or explicitly "no known drug allergies", never silent.
            models.CheckConstraint(
                condition=(Q(no_known_drug_allergies=True) & Q(allergies=""))
                | (Q(no_known_drug_allergies=False) & ~Q(allergies="")),
                name="intake_allergies_stated_exactly_once",
                violation_error_message="List the allergies, or tick no known drug allergies.",
            )
        ]

    def __str__(self) -> str:
        return f"Intake {self.diagnosis_code} ({self.recorded_at:%Y-%m-%d})"

    def clean(self) -> None:
        if self.no_known_drug_allergies and self.allergies.strip():
            raise ValidationError(
                {"allergies": "Allergies are listed, so untick no known drug allergies."}
            )
        if not self.no_known_drug_allergies and not self.allergies.strip():
            raise ValidationError(
                {"allergies": "List the allergies, or tick no known drug allergies."}
            )
        if Comorbidity.OTHER in self.comorbidities and not self.comorbidity_other.strip():
            raise ValidationError({"comorbidity_other": "Name the other comorbidity."})


class PriorTreatment(models.Model):
    class Kind(models.TextChoices):
        GABAPENTINOIDS = "gabapentinoids", "Gabapentinoids (gabapentin, pregabalin)"
        TRICYCLICS = "tricyclics", "Tricyclics (amitriptyline, cyclobenzaprine)"
        SNRI_SSRI = "snri_ssri", "SNRIs / SSRIs"
        CBT = "cbt", "Cognitive behavioural therapy"
        EXERCISE = "exercise", "Graded exercise"
        OTHER = "other", "Other"

    class Result(models.TextChoices):
        HELPED = "helped", "Helped"
        PARTIAL = "partial", "Partly helped"
        NO_EFFECT = "no_effect", "No effect"
        SIDE_EFFECTS = "side_effects", "Stopped for side effects"
        UNKNOWN = "unknown", "Unknown"

    intake = models.ForeignKey(ClinicalIntake, on_delete=models.PROTECT, related_name="treatments")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    detail = models.CharField(max_length=200, blank=True)
    result = models.CharField(max_length=20, choices=Result.choices)

    class Meta:
        triggers = append_only_triggers()
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["intake", "kind"], name="prior_treatment_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_result_display()}"


class Answer(models.TextChoices):
    NO = "no", "No"
    YES = "yes", "Yes"
    UNKNOWN = "unknown", "Unknown"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


# The screening's questions (``Screening.QUESTIONS`` gives them in the clinic's words).
QUESTION_FIELDS = (
    "cardiovascular", "pregnancy", "psychosis", "hepatic_disease", "intracranial_pressure",
    "intraocular_pressure", "substance_misuse",
)  # fmt: skip


def raised_a_flag() -> Q:
    """A screening with any question answered yes or unknown: it waits for a clearance."""
    flagged = Q()
    for question in QUESTION_FIELDS:
        flagged |= Q(**{f"{question}__in": [Answer.YES, Answer.UNKNOWN]})
    return flagged


class Screening(models.Model):
    """Relative contraindications (ASRA/AAPM/ASA consensus, Cohen 2018).

    Any "yes" or "unknown" means a physician must record a clearance before a course is
    booked; a positive screen never silently blocks or silently passes.
    """

    QUESTIONS = {
        "cardiovascular": "Poorly controlled cardiovascular disease or hypertension",
        "pregnancy": "Pregnant or possibly pregnant",
        "psychosis": "Active psychosis",
        "hepatic_disease": "Severe or moderate hepatic disease",
        "intracranial_pressure": "Raised intracranial pressure",
        "intraocular_pressure": "Raised intraocular pressure (e.g. glaucoma)",
        "substance_misuse": "Active substance misuse",
    }

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="screenings")
    cardiovascular = models.CharField(max_length=16, choices=Answer.choices)
    pregnancy = models.CharField(max_length=16, choices=Answer.choices)
    psychosis = models.CharField(max_length=16, choices=Answer.choices)
    hepatic_disease = models.CharField(max_length=16, choices=Answer.choices)
    intracranial_pressure = models.CharField(max_length=16, choices=Answer.choices)
    intraocular_pressure = models.CharField(max_length=16, choices=Answer.choices)
    substance_misuse = models.CharField(max_length=16, choices=Answer.choices)
    notes = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")

    class Meta:
        triggers = append_only_triggers()
        ordering = ["-recorded_at", "-pk"]
        get_latest_by = ["recorded_at", "pk"]
        indexes = [
            # The screenings that raised a flag (awaiting clearance on the physician's home),
            # not every screening ever recorded.
            models.Index(fields=["patient"], condition=raised_a_flag(), name="screening_flagged"),
        ]

    def __str__(self) -> str:
        return f"Screening of patient {self.patient_id} ({self.recorded_at:%Y-%m-%d})"

    @property
    def positive_answers(self) -> list[str]:
        """The questions answered yes or unknown, in the clinic's words."""
        return [
            f"{label}: {Answer(getattr(self, field)).label.lower()}"
            for field, label in self.QUESTIONS.items()
            if getattr(self, field) in (Answer.YES, Answer.UNKNOWN)
        ]

    @property
    def needs_clearance(self) -> bool:
        return bool(self.positive_answers)


class Clearance(models.Model):
    class Decision(models.TextChoices):
        CLEARED = "cleared", "Cleared"
        CLEARED_WITH_CONDITIONS = "cleared_with_conditions", "Cleared with conditions"
        NOT_CLEARED = "not_cleared", "Not cleared"

    screening = models.OneToOneField(Screening, on_delete=models.PROTECT, related_name="clearance")
    decision = models.CharField(max_length=30, choices=Decision.choices)
    note = models.TextField(help_text="Reasoning, and the conditions when cleared with conditions.")
    decided_at = models.DateTimeField(auto_now_add=True)
    physician = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")
    # Optional vital-sign limits for this patient (issue 18): at the chair the tighter of
    # these and the protocol's raises the alert. The note's free text stays as written.
    alert_systolic_above_mmhg = models.PositiveSmallIntegerField(
        "alert: systolic above", null=True, blank=True
    )
    alert_diastolic_above_mmhg = models.PositiveSmallIntegerField(
        "alert: diastolic above", null=True, blank=True
    )
    alert_pulse_above_bpm = models.PositiveSmallIntegerField(
        "alert: pulse above", null=True, blank=True
    )
    alert_pulse_below_bpm = models.PositiveSmallIntegerField(
        "alert: pulse below", null=True, blank=True
    )
    alert_spo2_below_percent = models.PositiveSmallIntegerField(
        "alert: SpO2 below (%)", null=True, blank=True
    )

    LIMITS = {
        "alert_systolic_above_mmhg": "systolic above {}",
        "alert_diastolic_above_mmhg": "diastolic above {}",
        "alert_pulse_above_bpm": "pulse above {}",
        "alert_pulse_below_bpm": "pulse below {}",
        "alert_spo2_below_percent": "SpO2 below {}%",
    }

    class Meta:
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.physician}"

    @property
    def vital_limits(self) -> dict[str, int]:
        """The limits the physician set, by field name (none: empty)."""
        values = {name: getattr(self, name) for name in self.LIMITS}
        return {name: value for name, value in values.items() if value is not None}

    @property
    def vital_limits_text(self) -> str:
        """The limits in words, e.g. 'Alert if systolic above 160, diastolic above 100'."""
        words = [self.LIMITS[name].format(value) for name, value in self.vital_limits.items()]
        return "Alert if " + ", ".join(words) if words else ""

    def clean(self) -> None:
        errors = {}
        limits = self.vital_limits
        if limits and self.decision == self.Decision.NOT_CLEARED:
            errors["decision"] = "Vital-sign limits go with a clearance, not a refusal."
        if limits.get("alert_spo2_below_percent", 0) > 100:
            errors["alert_spo2_below_percent"] = "SpO2 is a percentage: at most 100."
        low, high = limits.get("alert_pulse_below_bpm"), limits.get("alert_pulse_above_bpm")
        if low is not None and high is not None and low >= high:
            errors["alert_pulse_below_bpm"] = f"Must be below the pulse high limit ({high})."
        dia, sys = limits.get("alert_diastolic_above_mmhg"), limits.get("alert_systolic_above_mmhg")
        if dia is not None and sys is not None and dia >= sys:
            errors["alert_diastolic_above_mmhg"] = f"Must be below the systolic limit ({sys})."
        for name, value in limits.items():
            if value == 0:
                errors[name] = "Must be above zero, or left empty."
        if errors:
            raise ValidationError(errors)

    @property
    def allows_treatment(self) -> bool:
        return self.decision != self.Decision.NOT_CLEARED


class WeightMeasurement(models.Model):
    """Every weight ever taken. Stored in kg; the value and unit as typed are kept too."""

    class Unit(models.TextChoices):
        KG = "kg", "kg"
        LB = "lb", "lb"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="weights")
    weight_kg = models.DecimalField(max_digits=5, decimal_places=2)
    entered_value = models.DecimalField(max_digits=5, decimal_places=1)
    entered_unit = models.CharField(max_length=2, choices=Unit.choices)
    change_from_previous_percent = models.DecimalField(
        max_digits=6, decimal_places=1, null=True, blank=True
    )
    large_change_confirmed = models.BooleanField(default=False)
    measured_at = models.DateTimeField()
    measured_by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")
    # A mistyped weight is never edited: a new row ``corrects`` it (same patient, same
    # measuring time, the right value) with the reason, and the corrected row no longer
    # counts anywhere (current weight, dose orders). ``measured_by`` of a correction is who
    # corrected it; ``recorded_at`` when (empty on rows from before corrections existed).
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by"
    )
    correction_reason = models.TextField(blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        triggers = [
            *append_only_triggers(),
            correction_same_patient_trigger("patients_weightmeasurement"),
        ]
        ordering = ["-measured_at", "-pk"]
        get_latest_by = ["measured_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_kg__gt=0),
                name="weight_kg_positive",
                violation_error_message="A weight is above zero.",
            ),
            correction_has_reason(
                "weight_correction_has_reason", "Say what was wrong with the weight."
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weight_kg} kg ({self.measured_at:%Y-%m-%d})"

    @property
    def is_corrected(self) -> bool:
        return hasattr(self, "corrected_by")

    @property
    def weight_lb(self):
        from ..units import kg_to_lb

        return kg_to_lb(self.weight_kg)
