"""Chairside charting API, continued: events (side effects), corrections of readings and
events, and discharges with their corrections. Create and read only, like the rest of the
chart; every write is a service call."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from clinic.api import StaffSerializer, validated

from ..models import (
    Correction,
    Discharge,
    InfusionEvent,
    InfusionRecord,
    ScoreType,
    Severity,
    SideEffect,
)
from ..scoring import DISCHARGE_ITEMS
from ..selectors.chart import record_for, records_for
from ..services import (
    CHARTERS,
    correction_record,
    discharge_correct,
    discharge_record,
    side_effect_record,
)
from .charting import CreateList
from .filters import RecordFilter


class EventSerializer(serializers.ModelSerializer):
    by = StaffSerializer(read_only=True)
    side_effect = serializers.ChoiceField(SideEffect.choices)
    severity = serializers.ChoiceField(Severity.choices)
    note = serializers.CharField(source="reason", required=False, allow_blank=True)
    record = serializers.PrimaryKeyRelatedField(queryset=InfusionRecord.objects.all())

    class Meta:
        model = InfusionEvent
        fields = ["id", "record", "kind", "occurred_at", "side_effect", "severity", "note",
                  "intervention", "intervention_drug", "intervention_dose", "cadss_items",
                  "by"]  # fmt: skip
        read_only_fields = ["kind", "occurred_at"]


class EventViewSet(CreateList):
    """Pauses, resumes and stops (made through the record's actions) and side effects (made
    here), newest last."""

    ordering_fields = ("occurred_at",)

    serializer_class = EventSerializer
    queryset = InfusionEvent.objects.none()
    filterset_class = RecordFilter  # ?record=

    def get_queryset(self):
        events = InfusionEvent.objects.filter(record__in=records_for(self.request.user))
        return events.select_related("by")

    def create(self, request, *args, **kwargs):
        fields = validated(EventSerializer, request)
        record = record_for(request.user, fields.pop("record").pk)
        note = fields.pop("reason", "")
        event = side_effect_record(record=record, by=request.user, note=note, **fields)
        return Response(self.get_serializer(event).data, status=status.HTTP_201_CREATED)


class CorrectionSerializer(serializers.ModelSerializer):
    by = StaffSerializer(read_only=True)
    record = serializers.PrimaryKeyRelatedField(queryset=InfusionRecord.objects.all())

    class Meta:
        model = Correction
        fields = ["id", "record", "vitals", "event", "reason", "at", "by"]
        read_only_fields = ["at"]


class CorrectionViewSet(CreateList):
    ordering_fields = ("at",)
    serializer_class = CorrectionSerializer
    queryset = Correction.objects.none()
    filterset_class = RecordFilter  # ?record=

    def get_queryset(self):
        corrections = Correction.objects.filter(record__in=records_for(self.request.user))
        return corrections.select_related("by")

    def create(self, request, *args, **kwargs):
        fields = validated(CorrectionSerializer, request)
        record = record_for(request.user, fields.pop("record").pk)
        correction = correction_record(record=record, by=request.user, **fields)
        return Response(self.get_serializer(correction).data, status=status.HTTP_201_CREATED)


class DischargeSerializer(serializers.ModelSerializer):
    by = StaffSerializer(read_only=True)
    score_type = serializers.ChoiceField(ScoreType.choices)
    item_scores = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="PADSS: " + ", ".join(DISCHARGE_ITEMS["padss"]) + "; modified Aldrete: "
        + ", ".join(DISCHARGE_ITEMS["aldrete"]) + ". Each 0-2.",
    )  # fmt: skip
    pain_nrs = serializers.IntegerField()
    record = serializers.PrimaryKeyRelatedField(queryset=InfusionRecord.objects.all())
    corrected = serializers.SerializerMethodField()
    discharged_at = serializers.DateTimeField(
        required=False,
        help_text="When the patient left; now when left out. Given for a discharge charted "
        "late: never in the future or before the chart's latest status change.",
    )
    late_reason = serializers.CharField(
        required=False, allow_blank=True, write_only=True,
        help_text="Why the discharge is charted late: required when ``discharged_at`` is "
        "more than 15 minutes ago.",
    )  # fmt: skip

    class Meta:
        model = Discharge
        fields = ["id", "record", "protocol_version", "score_type", "item_scores", "total",
                  "vitals_within_baseline", "vitals_override_reason", "escort_present",
                  "escort_name", "pain_nrs", "instructions_given", "discharged_at",
                  "recorded_at", "by", "corrects", "correction_reason", "corrected",
                  "late_reason"]  # fmt: skip
        read_only_fields = ["protocol_version", "total", "vitals_within_baseline",
                            "recorded_at", "corrects", "correction_reason"]  # fmt: skip

    def get_corrected(self, discharge) -> bool:
        """True when a later discharge entry corrects this one (struck through)."""
        return hasattr(discharge, "corrected_by")


class DischargeCorrectSerializer(DischargeSerializer):
    reason = serializers.CharField()
    record = None
    discharged_at = None  # a correction keeps the discharge time
    late_reason = None

    class Meta(DischargeSerializer.Meta):
        fields = ["reason", "score_type", "item_scores", "vitals_override_reason",
                  "escort_present", "escort_name", "pain_nrs", "instructions_given"]  # fmt: skip
        read_only_fields = []


class DischargeViewSet(CreateList):
    """Discharges. ``POST .../{id}/correct/`` corrects one with a new entry (and a reason)."""

    ordering_fields = ("discharged_at",)

    serializer_class = DischargeSerializer
    queryset = Discharge.objects.none()
    filterset_class = RecordFilter  # ?record=
    action_roles = {"correct": CHARTERS}

    def get_queryset(self):
        discharges = Discharge.objects.filter(record__in=records_for(self.request.user))
        return discharges.select_related("by", "corrected_by")

    def create(self, request, *args, **kwargs):
        fields = validated(DischargeSerializer, request)
        record = record_for(request.user, fields.pop("record").pk)
        at = fields.pop("discharged_at", None)
        discharge = discharge_record(record=record, by=request.user, at=at, **fields)
        return Response(self.get_serializer(discharge).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DischargeCorrectSerializer, responses={201: DischargeSerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        fields = validated(DischargeCorrectSerializer, request)
        entry = discharge_correct(discharge=self.get_object(), by=request.user, **fields)
        entry = self.get_queryset().get(pk=entry.pk)
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)
