"""Clinical intake, contraindication screening with the physician's clearance, and weights.

Clinical entries are never changed: each POST adds a row, and the newest one is current.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from clinic.api import PHYSICIAN, NamedChoiceField, StaffSerializer, service_errors, validated
from clinic.roles import CLINICAL, CLINICAL_READERS

from ..models import (
    Answer,
    Clearance,
    ClinicalIntake,
    PriorTreatment,
    Screening,
    WeightMeasurement,
)
from ..services import (
    clearance_record,
    intake_record,
    screening_record,
    weight_correct,
    weight_record,
)
from .common import PatientRecordViewSet

# --- Intake -------------------------------------------------------------------------------


class PriorTreatmentSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(PriorTreatment.Kind.choices, enum_name="PriorTreatmentKindEnum")

    class Meta:
        model = PriorTreatment
        fields = ["kind", "detail", "result"]


INTAKE_FIELDS = [
    "diagnosis_code", "diagnosis_description", "diagnosed_on", "diagnosed_by",
    "symptom_duration_months", "comorbidities", "comorbidity_other", "current_medications",
    "no_known_drug_allergies", "allergies",
]  # fmt: skip


class IntakeInputSerializer(serializers.ModelSerializer):
    treatments = PriorTreatmentSerializer(many=True, required=False)

    class Meta:
        model = ClinicalIntake
        fields = [*INTAKE_FIELDS, "treatments"]


class IntakeSerializer(serializers.ModelSerializer):
    treatments = PriorTreatmentSerializer(many=True, read_only=True)
    recorded_by = StaffSerializer(read_only=True)

    class Meta:
        model = ClinicalIntake
        fields = ["id", *INTAKE_FIELDS, "treatments", "recorded_at", "recorded_by"]
        read_only_fields = fields


class IntakeViewSet(PatientRecordViewSet):
    """Diagnosis, comorbidities, medications, allergies and prior treatments; newest first."""

    ordering_fields = ("recorded_at",)

    queryset = ClinicalIntake.objects.select_related("recorded_by").prefetch_related("treatments")
    serializer_class = IntakeSerializer
    read_roles, write_roles = CLINICAL_READERS, CLINICAL

    @extend_schema(request=IntakeInputSerializer)
    def create(self, request, *args, **kwargs):
        fields = dict(validated(IntakeInputSerializer, request))
        treatments = [dict(treatment) for treatment in fields.pop("treatments", [])]
        # A prior treatment's own fields are reported against the list they came in.
        in_list = {"kind": "treatments", "detail": "treatments", "result": "treatments"}
        with service_errors(in_list):
            intake = intake_record(
                patient=self.patient, recorded_by=self.staff, treatments=treatments, **fields
            )
        return self.created(intake)


# --- Screening and clearance --------------------------------------------------------------


def answer_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(Answer.choices, enum_name="ScreeningAnswerEnum", **kwargs)


class ClearanceSerializer(serializers.ModelSerializer):
    """``alert_*`` are optional patient vital-sign limits: the chair alerts at the tighter of
    them and the protocol's. ``vital_limits_text`` says them in words."""

    physician = StaffSerializer(read_only=True)
    vital_limits_text = serializers.CharField(read_only=True)

    class Meta:
        model = Clearance
        fields = ["id", "decision", "note", "alert_systolic_above_mmhg",
                  "alert_diastolic_above_mmhg", "alert_pulse_above_bpm", "alert_pulse_below_bpm",
                  "alert_spo2_below_percent", "vital_limits_text", "decided_at",
                  "physician"]  # fmt: skip
        read_only_fields = ["id", "vital_limits_text", "decided_at", "physician"]


class ScreeningInputSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, default="")

    def get_fields(self):
        questions = {
            question: answer_field(help_text=text) for question, text in Screening.QUESTIONS.items()
        }
        return {**questions, **super().get_fields()}


class ScreeningSerializer(serializers.ModelSerializer):
    positive_answers = serializers.ListField(child=serializers.CharField(), read_only=True)
    needs_clearance = serializers.BooleanField(read_only=True)
    clearance = ClearanceSerializer(read_only=True, allow_null=True)
    recorded_by = StaffSerializer(read_only=True)

    class Meta:
        model = Screening
        fields = [
            "id", *Screening.QUESTIONS, "notes", "positive_answers", "needs_clearance",
            "clearance", "recorded_at", "recorded_by",
        ]  # fmt: skip
        read_only_fields = fields

    def build_standard_field(self, field_name, model_field):
        if field_name in Screening.QUESTIONS:
            return NamedChoiceField, {
                "choices": Answer.choices,
                "enum_name": "ScreeningAnswerEnum",
                "read_only": True,
            }
        return super().build_standard_field(field_name, model_field)


class ScreeningViewSet(PatientRecordViewSet):
    """Relative contraindications. A yes or unknown needs a physician's clearance."""

    ordering_fields = ("recorded_at",)

    queryset = Screening.objects.select_related("recorded_by", "clearance", "clearance__physician")
    serializer_class = ScreeningSerializer
    read_roles, write_roles = CLINICAL_READERS, CLINICAL
    action_roles = {"clearance": PHYSICIAN}

    @extend_schema(request=ScreeningInputSerializer)
    def create(self, request, *args, **kwargs):
        answers = dict(validated(ScreeningInputSerializer, request))
        notes = answers.pop("notes")
        with service_errors():
            screening = screening_record(
                patient=self.patient, recorded_by=self.staff, answers=answers, notes=notes
            )
        return self.created(screening)

    @extend_schema(request=ClearanceSerializer, responses={201: ClearanceSerializer})
    @action(detail=True, methods=["post"])
    def clearance(self, request, *args, **kwargs):
        """A physician's decision on the latest screening, when it raised a flag."""
        screening = self.get_object()
        fields = validated(ClearanceSerializer, request)
        with service_errors():
            clearance = clearance_record(screening=screening, physician=self.staff, **fields)
        return self.created(clearance, ClearanceSerializer)


# --- Weights ------------------------------------------------------------------------------


def unit_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(WeightMeasurement.Unit.choices, enum_name="WeightUnitEnum", **kwargs)


class WeightInputSerializer(serializers.Serializer):
    value = serializers.DecimalField(
        max_digits=5, decimal_places=1, help_text='As read off the scale, e.g. "154.0".'
    )
    unit = unit_field()
    confirm_large_change = serializers.BooleanField(
        default=False, help_text="Re-weighed and checked: a change of over 10% is real."
    )
    confirm_unusual_weight = serializers.BooleanField(
        default=False,
        help_text="Unit checked: a first weight outside 40-150 kg is real (else a 400).",
    )
    measured_at = serializers.DateTimeField(required=False, help_text="Defaults to now.")


class WeightCorrectionSerializer(WeightInputSerializer):
    measured_at = None  # a correction keeps the measuring time of the weight it corrects
    reason = serializers.CharField(help_text="What was wrong with the recorded weight.")


class WeightSerializer(serializers.ModelSerializer):
    weight_lb = serializers.DecimalField(max_digits=6, decimal_places=1, read_only=True)
    entered_unit = unit_field(read_only=True)
    measured_by = StaffSerializer(read_only=True)
    corrected_by = serializers.SerializerMethodField(
        help_text="The id of the weight that corrects this one (this one no longer counts)."
    )

    def get_corrected_by(self, weight) -> int | None:
        correction = getattr(weight, "corrected_by", None)
        return correction.pk if correction else None

    class Meta:
        model = WeightMeasurement
        fields = [
            "id", "weight_kg", "weight_lb", "entered_value", "entered_unit",
            "change_from_previous_percent", "large_change_confirmed", "measured_at",
            "measured_by", "corrects", "correction_reason", "corrected_by", "recorded_at",
        ]  # fmt: skip
        read_only_fields = fields


class WeightViewSet(PatientRecordViewSet):
    """Every weight taken, newest first; stored in kg, shown in kg and lb."""

    ordering_fields = ("measured_at", "recorded_at")

    queryset = WeightMeasurement.objects.select_related("measured_by", "corrected_by")
    serializer_class = WeightSerializer
    read_roles, write_roles = CLINICAL_READERS, CLINICAL
    action_roles = {"correct": CLINICAL}

    @extend_schema(request=WeightInputSerializer)
    def create(self, request, *args, **kwargs):
        fields = validated(WeightInputSerializer, request)
        as_entered = {"entered_value": "value", "entered_unit": "unit", "weight_kg": "value"}
        with service_errors(as_entered):
            weight = weight_record(patient=self.patient, measured_by=self.staff, **fields)
        return self.created(weight)

    @extend_schema(request=WeightCorrectionSerializer, responses={201: WeightSerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request, *args, **kwargs):
        """Correct a mistyped weight: a new weight that ``corrects`` this one, measured at
        the same time, with the reason. The recorded one stays and no longer counts."""
        weight = self.get_object()
        fields = validated(WeightCorrectionSerializer, request)
        as_entered = {"entered_value": "value", "entered_unit": "unit", "weight_kg": "value"}
        with service_errors(as_entered):
            correction = weight_correct(weight=weight, corrected_by=self.staff, **fields)
        return self.created(correction)
