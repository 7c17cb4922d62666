"""Chairside charting API: infusion records (check-in, escort arrival, status moves), vitals,
alerts and their acknowledgements (with corrections). Events, corrections of readings and
events, and discharges are in ``chart_events``. Create and read only: the chart is
append-only, so nothing is updated or deleted. Every write is a service call."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clinic.api import (
    ListCreateRetrieve,
    NamedChoiceField,
    RoleRules,
    StaffSerializer,
    validated,
)
from clinic.models import User
from clinic.roles import CLINICAL_READERS, Role

from ..models import (
    AckAction,
    Alert,
    AlertAcknowledgement,
    AlertBreach,
    ComfortApplied,
    ComfortItem,
    Consciousness,
    DischargeOverride,
    EarlyStopReview,
    EscortEntry,
    EscortStatus,
    InfusionRecord,
    InfusionStatus,
    InfusionStatusEvent,
    VitalsReading,
)
from ..selectors.chart import alerts_for, record_for, records_for, vitals_for
from ..selectors.orders import appointment_for
from ..selectors.timing import completion_blocker, discharge_blocker, record_run_seconds
from ..services import (
    CHARTERS,
    acknowledgement_correct,
    alert_acknowledge,
    discharge_override_record,
    early_stop_review,
    escort_arrived,
    infusion_check_in,
    infusion_complete,
    infusion_not_given,
    infusion_pause,
    infusion_record_stopped_dose,
    infusion_recovery,
    infusion_resume,
    infusion_start,
    infusion_stop,
    vitals_record,
)
from .filters import AcknowledgementFilter, AlertFilter, InfusionRecordFilter, RecordFilter


class CreateList(ListCreateRetrieve):
    read_roles, write_roles = CLINICAL_READERS, CHARTERS


# --- Records ---------------------------------------------------------------------------------


class EscortEntrySerializer(serializers.ModelSerializer):
    by = StaffSerializer(read_only=True)
    status = NamedChoiceField(EscortStatus.choices, enum_name="EscortStatusEnum", read_only=True)

    class Meta:
        model = EscortEntry
        fields = ["id", "status", "name", "phone", "at", "by"]
        read_only_fields = fields


class ComfortAppliedSerializer(serializers.ModelSerializer):
    item = NamedChoiceField(ComfortItem.choices, enum_name="ComfortItemEnum", read_only=True)

    class Meta:
        model = ComfortApplied
        fields = ["item", "detail", "at"]
        read_only_fields = fields


class DischargeOverrideSerializer(serializers.ModelSerializer):
    by = StaffSerializer(read_only=True)

    class Meta:
        model = DischargeOverride
        fields = ["id", "reason", "at", "by"]
        read_only_fields = fields


class EarlyStopReviewSerializer(serializers.ModelSerializer):
    by = StaffSerializer(read_only=True)

    class Meta:
        model = EarlyStopReview
        fields = ["id", "note", "at", "by"]
        read_only_fields = fields


class StatusEventSerializer(serializers.ModelSerializer):
    from_status = NamedChoiceField(
        InfusionStatus.choices, enum_name="InfusionStatusChangeEnum", allow_blank=True,
        read_only=True, help_text="Empty on the first entry (the check-in).",
    )  # fmt: skip
    to_status = NamedChoiceField(
        InfusionStatus.choices, enum_name="InfusionStatusChangeEnum", read_only=True
    )

    class Meta:
        model = InfusionStatusEvent
        fields = ["from_status", "to_status", "at", "by", "reason", "recorded_at", "late_reason"]
        read_only_fields = fields


class InfusionRecordSerializer(serializers.ModelSerializer):
    statuses = StatusEventSerializer(
        many=True, read_only=True,
        help_text="The status history, oldest first: ``at`` when it happened, ``recorded_at`` "
        "when it was charted (empty before late entries existed); a late entry says why.",
    )  # fmt: skip
    escort_entries = EscortEntrySerializer(many=True, read_only=True)
    comfort_applied = ComfortAppliedSerializer(many=True, read_only=True)
    discharge_overrides = DischargeOverrideSerializer(many=True, read_only=True)
    early_stop_reviews = EarlyStopReviewSerializer(many=True, read_only=True)
    run_seconds = serializers.SerializerMethodField()
    complete_refused_because = serializers.SerializerMethodField()
    discharge_refused_because = serializers.SerializerMethodField()

    class Meta:
        model = InfusionRecord
        fields = ["id", "appointment", "order", "protocol_version", "status", "checked_in_at",
                  "started_at", "ended_at", "administered_mg", "escort_entries",
                  "comfort_applied", "run_seconds", "complete_refused_because",
                  "discharge_refused_because", "discharge_overrides",
                  "early_stop_reviews", "statuses"]  # fmt: skip
        read_only_fields = fields

    def get_run_seconds(self, record) -> int:
        """Seconds the infusion has run, pauses excluded."""
        return record_run_seconds(record)

    def get_complete_refused_because(self, record) -> str:
        """Why "complete" would be refused now (empty when it is allowed or not running)."""
        return completion_blocker(record) if record.status == "running" else ""

    def get_discharge_refused_because(self, record) -> str:
        """Why discharge would be refused now for time (empty when recovery ran its time)."""
        return discharge_blocker(record) if record.status == "recovery" else ""


class InfusionCheckInSerializer(serializers.Serializer):
    appointment = serializers.IntegerField()
    escort_status = NamedChoiceField(
        EscortStatus.choices, enum_name="EscortStatusEnum", required=False
    )
    escort_name = serializers.CharField(required=False, max_length=120)
    escort_phone = PhoneNumberField(required=False)
    comfort_applied = serializers.ListField(
        child=NamedChoiceField(ComfortItem.choices, enum_name="ComfortItemEnum"), required=False,
        help_text="The patient's comfort preferences applied (among those they have).",
    )  # fmt: skip


class EscortArrivedSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    phone = PhoneNumberField(required=False, allow_blank=True)


class InfusionReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class LateEntrySerializer(serializers.Serializer):
    """When the step happened, for one charted late (a chart left open from an earlier day)."""

    at = serializers.DateTimeField(
        required=False,
        help_text="When it happened; now when left out. Never in the future, never before "
        "the chart's latest status change; the end time, run time and bill follow it.",
    )
    late_reason = serializers.CharField(
        required=False, allow_blank=True,
        help_text="Why this is charted late: required when ``at`` is more than 15 minutes ago.",
    )  # fmt: skip


class InfusionStopSerializer(LateEntrySerializer, InfusionReasonSerializer):
    pass


class InfusionNotGivenSerializer(LateEntrySerializer, InfusionReasonSerializer):
    """Why the infusion is not given today; ``at`` when it was decided, for a late entry."""


class StoppedDoseSerializer(serializers.Serializer):
    administered_mg = serializers.DecimalField(
        max_digits=8, decimal_places=2, help_text="The mg that went in before the stop."
    )


class ReviewSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True)


class InfusionCompleteSerializer(LateEntrySerializer):
    administered_mg = serializers.DecimalField(max_digits=8, decimal_places=2)
    wasted_mg = serializers.DecimalField(max_digits=8, decimal_places=2, required=False)
    witness = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    witness_password = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        style={"input_type": "password"},
        help_text="With waste: the witness's password, typed by the witness.",
    )
    witness_otp_token = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="With waste: the witness's authenticator code, if they have one.",
    )


class InfusionRecordViewSet(CreateList):
    """One infusion's record. POST checks the appointment in; actions move its status."""

    serializer_class = InfusionRecordSerializer
    queryset = InfusionRecord.objects.none()
    filterset_class = InfusionRecordFilter  # ?appointment= (the access log logs it as one)
    action_roles = {
        **dict.fromkeys(["start", "pause", "resume", "stop", "complete", "recovery",
                         "escort_arrived", "stopped_dose", "not_given"], CHARTERS),
        "discharge_override": (Role.PHYSICIAN,), "early_stop_review": (Role.PHYSICIAN,),
    }  # fmt: skip

    def get_queryset(self):
        return (
            records_for(self.request.user)
            .prefetch_related(
                Prefetch("escort_entries", EscortEntry.objects.select_related("by")),
                "comfort_applied",
                Prefetch("discharge_overrides", DischargeOverride.objects.select_related("by")),
                Prefetch("early_stop_reviews", EarlyStopReview.objects.select_related("by")),
                "statuses",
            )
            .select_related("protocol_version", "appointment__location")
        )

    def _respond(self, record, code=status.HTTP_200_OK):
        return Response(self.get_serializer(record_for(self.request.user, record.pk)).data, code)

    @extend_schema(request=InfusionCheckInSerializer, responses={201: InfusionRecordSerializer})
    def create(self, request, *args, **kwargs):
        fields = validated(InfusionCheckInSerializer, request)
        appointment = appointment_for(request.user, fields.pop("appointment"))
        fields["comfort_applied"] = tuple(fields.get("comfort_applied", ()))
        record = infusion_check_in(appointment=appointment, by=request.user, **fields)
        return self._respond(record, status.HTTP_201_CREATED)

    @extend_schema(request=EscortArrivedSerializer, responses=InfusionRecordSerializer)
    @action(detail=True, methods=["post"], url_path="escort-arrived")
    def escort_arrived(self, request, pk=None):
        """The escort who was on the way is here (needed before discharge)."""
        fields = validated(EscortArrivedSerializer, request)
        record = self.get_object()
        escort_arrived(record=record, by=request.user, **fields)
        return self._respond(record)

    @extend_schema(request=None, responses=InfusionRecordSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._respond(infusion_start(record=self.get_object(), by=request.user))

    @extend_schema(request=LateEntrySerializer, responses=InfusionRecordSerializer)
    @action(detail=True, methods=["post"])
    def recovery(self, request, pk=None):
        fields = validated(LateEntrySerializer, request)
        record = self.get_object()
        return self._respond(infusion_recovery(record=record, by=request.user, **fields))

    def _with_reason(self, request, service):
        fields = validated(InfusionReasonSerializer, request)
        record = self.get_object()
        service(record=record, by=request.user, reason=fields["reason"])
        return self._respond(record)

    @extend_schema(request=InfusionReasonSerializer, responses=InfusionRecordSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        return self._with_reason(request, infusion_pause)

    @extend_schema(request=InfusionReasonSerializer, responses=InfusionRecordSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._with_reason(request, infusion_resume)

    @extend_schema(request=InfusionStopSerializer, responses=InfusionRecordSerializer)
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        fields = validated(InfusionStopSerializer, request)
        record = self.get_object()
        infusion_stop(record=record, by=request.user, **fields)
        return self._respond(record)

    @extend_schema(request=InfusionNotGivenSerializer, responses=InfusionRecordSerializer)
    @action(detail=True, methods=["post"], url_path="not-given")
    def not_given(self, request, pk=None):
        """Checked in, never started: the infusion is not given today (the reason is kept);
        the chart closes and the appointment is cancelled. Refused once started, and while
        drug drawn for the visit is not accounted for (waste it with a witness first)."""
        fields = validated(InfusionNotGivenSerializer, request)
        record = self.get_object()
        infusion_not_given(record=record, by=request.user, **fields)
        return self._respond(record)

    @extend_schema(request=StoppedDoseSerializer, responses=InfusionRecordSerializer)
    @action(detail=True, methods=["post"], url_path="stopped-dose")
    def stopped_dose(self, request, pk=None):
        """After an early stop: the mg given before the stop (needed before recovery)."""
        fields = validated(StoppedDoseSerializer, request)
        record = self.get_object()
        infusion_record_stopped_dose(record=record, by=request.user, **fields)
        return self._respond(record)

    @extend_schema(request=InfusionReasonSerializer, responses=InfusionRecordSerializer)
    @action(detail=True, methods=["post"], url_path="discharge-override")
    def discharge_override(self, request, pk=None):
        """A physician allows discharge before the protocol's minimum recovery time."""
        return self._with_reason(request, discharge_override_record)

    @extend_schema(request=ReviewSerializer, responses=InfusionRecordSerializer)
    @action(detail=True, methods=["post"], url_path="early-stop-review")
    def early_stop_review(self, request, pk=None):
        """A physician marks an early stop, or a visit charted not given, as reviewed."""
        fields = validated(ReviewSerializer, request)
        record = self.get_object()
        early_stop_review(record=record, by=request.user, note=fields.get("note", ""))
        return self._respond(record)

    @extend_schema(request=InfusionCompleteSerializer, responses=InfusionRecordSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        fields = validated(InfusionCompleteSerializer, request)
        record = infusion_complete(
            record=self.get_object(), by=request.user, request=request, **fields
        )
        return self._respond(record)


# --- Vitals and alerts -----------------------------------------------------------------------


class AlertBreachSerializer(serializers.ModelSerializer):
    class Meta:
        model = AlertBreach
        fields = ["parameter", "value", "limit", "source", "message"]
        read_only_fields = fields


class AlertSerializer(serializers.ModelSerializer):
    """One alert per reading; ``breaches`` names every value out of range and whose limit
    it broke. ``parameter`` and ``value`` are set only on alerts from before issue 18."""

    acknowledged = serializers.SerializerMethodField()
    breaches = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = ["id", "record", "reading", "protocol_version", "parameter", "value",
                  "message", "news2_score", "breaches", "raised_at", "acknowledged"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(AlertBreachSerializer(many=True))
    def get_breaches(self, alert) -> list:
        return AlertBreachSerializer(alert.breach_list, many=True).data

    def get_acknowledged(self, alert) -> bool:
        return alert.acknowledgement is not None


class VitalsSerializer(serializers.ModelSerializer):
    taken_by = StaffSerializer(read_only=True)
    alerts = AlertSerializer(many=True, read_only=True)
    corrected = serializers.SerializerMethodField()
    news2_missing = serializers.SerializerMethodField()
    confirm_implausible = serializers.BooleanField(write_only=True, default=False)
    # Blank when not assessed (a reading without ACVPU), so the schema lists "" too.
    consciousness = serializers.ChoiceField(Consciousness.choices, required=False, allow_blank=True)
    # Range checks are the service's, so every door gives the same field messages.
    systolic_mmhg = serializers.IntegerField()
    diastolic_mmhg = serializers.IntegerField()
    pulse_bpm = serializers.IntegerField()
    spo2_percent = serializers.IntegerField()
    respiratory_rate_per_min = serializers.IntegerField(required=False, allow_null=True)

    class Meta:
        model = VitalsReading
        fields = ["id", "record", "taken_at", "phase", "systolic_mmhg", "diastolic_mmhg",
                  "pulse_bpm", "spo2_percent", "respiratory_rate_per_min", "consciousness",
                  "temperature_c", "on_oxygen", "news2_score", "news2_band",
                  "news2_missing", "implausible_confirmed", "taken_by", "recorded_at", "alerts",
                  "corrected", "confirm_implausible"]  # fmt: skip
        read_only_fields = ["news2_score", "news2_band", "implausible_confirmed", "recorded_at"]
        extra_kwargs = {"taken_at": {"required": False, "help_text": (
                            "When the reading was taken; now when left out. A reading typed "
                            "in later keeps its time: never in the future (5 minutes of "
                            "clock skew allowed), never before the check-in.")},
                        "phase": {"required": False, "help_text": (
                            "Left out: from the time taken against the chart's start, end "
                            "and move to recovery. Given: it must fit that time (\"end\" "
                            "also for a reading just before the end is charted).")},
                        "record": {"queryset": InfusionRecord.objects.all()}}  # fmt: skip

    def get_corrected(self, reading) -> bool:
        return reading.corrections.exists()

    def get_news2_missing(self, reading) -> list[str]:
        """What the reading lacks for a NEWS2 (empty when it was scored)."""
        if reading.news2_score is not None:
            return []
        return reading.news2_missing


class VitalsViewSet(CreateList):
    """Vitals sets. A 400 names the field for an impossible value; an implausible one asks
    for ``confirm_implausible``. The response lists any alerts the reading raised."""

    ordering_fields = ("taken_at",)

    serializer_class = VitalsSerializer
    queryset = VitalsReading.objects.none()
    filterset_class = RecordFilter  # ?record=

    def get_queryset(self):
        return vitals_for(self.request.user)

    def create(self, request, *args, **kwargs):
        fields = validated(VitalsSerializer, request)
        record = record_for(request.user, fields.pop("record").pk)
        reading, _alerts = vitals_record(record=record, taken_by=request.user, **fields)
        data = self.get_serializer(vitals_for(request.user).get(pk=reading.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)


class AcknowledgementSerializer(serializers.ModelSerializer):
    by = StaffSerializer(read_only=True)
    action = serializers.ChoiceField(AckAction.choices)
    physician = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    alert = serializers.PrimaryKeyRelatedField(queryset=Alert.objects.all())
    corrected = serializers.SerializerMethodField()

    class Meta:
        model = AlertAcknowledgement
        fields = ["id", "alert", "action", "physician", "note", "at", "by", "corrects",
                  "correction_reason", "corrected"]  # fmt: skip
        read_only_fields = ["at", "corrects", "correction_reason"]

    def get_corrected(self, ack) -> bool:
        """True when a later acknowledgement corrects this one (struck through)."""
        return hasattr(ack, "corrected_by")


class AcknowledgementCorrectSerializer(serializers.Serializer):
    reason = serializers.CharField()
    action = serializers.ChoiceField(AckAction.choices)
    note = serializers.CharField(required=False, allow_blank=True)
    physician = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )


class AlertViewSet(RoleRules, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = AlertSerializer
    queryset = Alert.objects.none()
    read_roles = CLINICAL_READERS
    filterset_class = AlertFilter  # ?record= (the access log logs it as one record's)

    def get_queryset(self):
        return alerts_for(self.request.user)


class AcknowledgementViewSet(CreateList):
    """What was done about an alert: paused, stopped, or continued with a named physician."""

    ordering_fields = ("at",)

    serializer_class = AcknowledgementSerializer
    queryset = AlertAcknowledgement.objects.none()
    filterset_class = AcknowledgementFilter  # ?record= (the access log logs it as one)

    action_roles = {"correct": CHARTERS}

    def get_queryset(self):
        return (
            AlertAcknowledgement.objects.filter(alert__in=alerts_for(self.request.user))
            .select_related("by", "corrected_by")
            .order_by("pk")
        )

    def create(self, request, *args, **kwargs):
        fields = validated(AcknowledgementSerializer, request)
        alert = alerts_for(request.user).get(pk=fields.pop("alert").pk)
        ack = alert_acknowledge(alert=alert, by=request.user, **fields)
        return Response(self.get_serializer(ack).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=AcknowledgementCorrectSerializer, responses={201: AcknowledgementSerializer}
    )
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """A new acknowledgement that corrects this one, with the reason; this one stays."""
        fields = validated(AcknowledgementCorrectSerializer, request)
        ack = acknowledgement_correct(acknowledgement=self.get_object(), by=request.user, **fields)
        ack = self.get_queryset().get(pk=ack.pk)
        return Response(self.get_serializer(ack).data, status=status.HTTP_201_CREATED)
