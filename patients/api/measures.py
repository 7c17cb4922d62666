"""Outcome measures (pain NRS, FIQR, 2016 ACR, PHQ-9) and the PHQ-9 item-9 follow-up."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from clinic.api import PHYSICIAN, NamedChoiceField, StaffSerializer, service_errors, validated
from clinic.roles import CLINICAL, CLINICAL_READERS

from ..models import MeasureKind, OutcomeMeasure, Phq9FollowUp
from ..services import measure_correct, measure_record, phq9_follow_up_record
from ..services.measures import CONTEXTS
from .common import PatientRecordViewSet


def kind_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(MeasureKind.choices, enum_name="MeasureKindEnum", **kwargs)


class MeasureInputSerializer(serializers.Serializer):
    kind = kind_field()
    answers = serializers.DictField(
        help_text='By item name: {"item_1": 3, ...} for FIQR (21 items) and PHQ-9 (9 items), '
        '{"score": 7} for pain NRS, the criteria\'s fields for 2016 ACR.'
    )
    context = serializers.ChoiceField(choices=sorted(CONTEXTS), default="baseline")
    completed_by_patient = serializers.BooleanField(default=False)


class MeasureCorrectionSerializer(serializers.Serializer):
    answers = serializers.DictField(
        help_text="All the answers again, right this time, in the form of the measure's kind."
    )
    reason = serializers.CharField(help_text="What was wrong with the recorded entry.")


class Phq9FollowUpSerializer(serializers.ModelSerializer):
    physician = StaffSerializer(read_only=True)

    class Meta:
        model = Phq9FollowUp
        fields = ["id", "note", "physician", "recorded_at"]
        read_only_fields = ["id", "physician", "recorded_at"]


class MeasureSerializer(serializers.ModelSerializer):
    kind = kind_field(read_only=True)
    follow_up = Phq9FollowUpSerializer(read_only=True, allow_null=True)
    recorded_by = StaffSerializer(
        read_only=True, allow_null=True, help_text="null: answered by the patient from home."
    )
    corrected_by = serializers.SerializerMethodField(
        help_text="The id of the entry that corrects this one (this one no longer counts)."
    )

    def get_corrected_by(self, measure) -> int | None:
        correction = getattr(measure, "corrected_by", None)
        return correction.pk if correction else None

    class Meta:
        model = OutcomeMeasure
        fields = [
            "id", "kind", "answers", "score", "interpretation", "details", "context",
            "completed_by_patient", "needs_same_day_follow_up", "follow_up", "recorded_at",
            "recorded_by", "corrects", "correction_reason", "corrected_by", "taken_at",
        ]  # fmt: skip
        read_only_fields = fields


class MeasureViewSet(PatientRecordViewSet):
    """Completed questionnaires, newest first, scored when recorded."""

    ordering_fields = ("recorded_at", "taken_at")

    queryset = OutcomeMeasure.objects.select_related(
        "recorded_by", "follow_up", "follow_up__physician", "corrected_by"
    )
    serializer_class = MeasureSerializer
    read_roles, write_roles = CLINICAL_READERS, CLINICAL
    action_roles = {"phq9_follow_up": PHYSICIAN, "correct": CLINICAL}

    @extend_schema(request=MeasureInputSerializer)
    def create(self, request, *args, **kwargs):
        fields = validated(MeasureInputSerializer, request)
        # An item's error (item_4, fatigue...) is reported inside "answers", where it was sent.
        top_level = {"kind", "answers", "context", "completed_by_patient"}
        with service_errors(nest_under="answers", top_level=top_level):
            measure = measure_record(patient=self.patient, recorded_by=self.staff, **fields)
        return self.created(measure)

    @extend_schema(request=Phq9FollowUpSerializer, responses={201: Phq9FollowUpSerializer})
    @action(detail=True, methods=["post"], url_path="phq9-follow-up")
    def phq9_follow_up(self, request, *args, **kwargs):
        """A physician's same-day follow-up of a PHQ-9 whose item 9 (self-harm) was not zero."""
        measure = self.get_object()
        note = validated(Phq9FollowUpSerializer, request)["note"]
        with service_errors():
            follow_up = phq9_follow_up_record(measure=measure, physician=self.staff, note=note)
        return self.created(follow_up, Phq9FollowUpSerializer)

    @extend_schema(request=MeasureCorrectionSerializer, responses={201: MeasureSerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request, *args, **kwargs):
        """Correct a mistaken entry: a new entry of the same kind and context that
        ``corrects`` this one, scored afresh, with the reason. This one stays and no longer
        counts in any series."""
        measure = self.get_object()
        fields = validated(MeasureCorrectionSerializer, request)
        with service_errors(nest_under="answers", top_level={"answers", "reason"}):
            correction = measure_correct(measure=measure, corrected_by=self.staff, **fields)
        return self.created(correction)
