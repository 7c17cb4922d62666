"""The consultation-request pipeline: requests (the desk takes phone calls and referrals),
their stage history with the time spent in each stage, and contact attempts."""

from django.db.models import TextChoices
from django_filters import ChoiceFilter
from django_filters.rest_framework import FilterSet
from drf_spectacular.utils import extend_schema, extend_schema_field
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clinic.access import locations_for
from clinic.api import (
    NamedChoiceField,
    OptionalEmailField,
    RoleRules,
    StaffSerializer,
    service_errors,
    validated,
)
from clinic.filters import OrderBy
from clinic.models import Location
from clinic.roles import DESK

from ..models import (
    BEFORE_REGISTRATION,
    ConsultationRequest,
    ConsultationStageChange,
    ContactAttempt,
    Stage,
)
from ..selectors import consultation_requests_for, stage_history
from ..services import (
    consultation_close,
    consultation_convert,
    consultation_submit,
    contact_attempt_record,
)
from .registration import PatientRegistrationSerializer, PatientSerializer, ReasonSerializer


class QueueStatus(TextChoices):
    """The old queue status, kept in the API as a reading of the stage (the stage is the
    truth): open before registration, converted once registered, closed when lost."""

    OPEN = "open", "Open"
    CONVERTED = "converted", "Registered as a patient"
    CLOSED = "closed", "Closed"


QUEUE_STATUSES = {
    QueueStatus.OPEN: BEFORE_REGISTRATION,
    QueueStatus.CONVERTED: [Stage.REGISTERED, Stage.FIRST_INFUSION_BOOKED],
    QueueStatus.CLOSED: [Stage.LOST],
}
QUEUE_STATUS_CHOICES = QueueStatus.choices
STATUS_OF_STAGE = {stage: status for status, stages in QUEUE_STATUSES.items() for stage in stages}


class ConsultationRequestSerializer(serializers.ModelSerializer):
    handled_by = StaffSerializer(read_only=True, allow_null=True)
    email = OptionalEmailField(read_only=True)
    status = serializers.SerializerMethodField(
        help_text="Deprecated: read ``stage``. The stage in three words: open (new, contacted, "
        "consultation booked), converted (registered, first infusion booked), closed (lost)."
    )

    @extend_schema_field(serializers.ChoiceField(choices=QUEUE_STATUS_CHOICES))
    def get_status(self, request) -> str:
        return STATUS_OF_STAGE[request.stage]

    class Meta:
        model = ConsultationRequest
        fields = [
            "id", "name", "phone", "email", "date_of_birth", "preferred_location", "message",
            "source", "referred_by", "stage", "status", "closed_reason", "patient",
            "handled_by", "handled_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class DeskRequestSerializer(serializers.Serializer):
    """A request the front desk takes: by phone, or a referral naming the clinician."""

    source = serializers.ChoiceField(
        choices=[ConsultationRequest.Source.PHONE, ConsultationRequest.Source.REFERRAL]
    )
    referred_by = serializers.CharField(max_length=150, required=False, allow_blank=True)
    name = serializers.CharField(max_length=150)
    phone = PhoneNumberField()
    email = serializers.EmailField(required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    preferred_location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.none())
    message = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["preferred_location"].queryset = locations_for(request.user)


class StageChangeSerializer(serializers.ModelSerializer):
    # Blank on the request's first row (it came from no stage).
    from_stage = NamedChoiceField(
        [("", "None"), *Stage.choices], enum_name="ConsultationFromStageEnum", read_only=True
    )
    changed_by = StaffSerializer(read_only=True, allow_null=True)
    lasted_seconds = serializers.SerializerMethodField(
        help_text="Time spent in this stage (until the next one, or until now)."
    )

    class Meta:
        model = ConsultationStageChange
        fields = ["from_stage", "to_stage", "changed_at", "changed_by", "reason", "lasted_seconds"]
        read_only_fields = fields

    def get_lasted_seconds(self, row) -> int:
        return int(row.lasted.total_seconds())


class ContactAttemptSerializer(serializers.ModelSerializer):
    recorded_by = StaffSerializer(read_only=True)
    attempted_at = serializers.DateTimeField(required=False)

    class Meta:
        model = ContactAttempt
        fields = ["id", "attempted_at", "channel", "outcome", "note", "recorded_by", "recorded_at"]
        read_only_fields = ["id", "recorded_by", "recorded_at"]


class ConsultationFilter(FilterSet):
    status = ChoiceFilter(
        choices=QUEUE_STATUS_CHOICES, method="filter_status", help_text="Deprecated: use stage."
    )
    stage = ChoiceFilter(choices=Stage.choices)
    source = ChoiceFilter(choices=ConsultationRequest.Source.choices)
    ordering = OrderBy("created_at")

    def filter_status(self, queryset, name, value):
        return queryset.filter(stage__in=QUEUE_STATUSES[value])


class ConsultationRequestViewSet(RoleRules, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Consultation requests at the caller's sites, oldest first. POST takes a request by
    phone or referral (the website's come from the public form)."""

    queryset = ConsultationRequest.objects.none()  # for the schema; requests use get_queryset
    serializer_class = ConsultationRequestSerializer
    filterset_class = ConsultationFilter
    read_roles = write_roles = DESK

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller
            return ConsultationRequest.objects.none()
        return consultation_requests_for(self.request.user)

    @extend_schema(request=DeskRequestSerializer, responses={201: ConsultationRequestSerializer})
    def create(self, request, *args, **kwargs):
        fields = validated(DeskRequestSerializer, request)
        with service_errors():
            consultation = consultation_submit(**fields, taken_by=request.user)
        return Response(
            ConsultationRequestSerializer(consultation).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=PatientRegistrationSerializer, responses={201: PatientSerializer})
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        """Register the requester as a patient; the request moves to "registered"."""
        consultation = self.get_object()
        fields = validated(PatientRegistrationSerializer, request)
        with service_errors():
            patient = consultation_convert(
                request=consultation, registered_by=request.user, **fields
            )
        return Response(PatientSerializer(patient).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReasonSerializer, responses=ConsultationRequestSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Declined or lost, with the reason."""
        consultation = self.get_object()
        reason = validated(ReasonSerializer, request)["reason"]
        with service_errors():
            consultation = consultation_close(
                request=consultation, closed_by=request.user, reason=reason
            )
        return Response(ConsultationRequestSerializer(consultation).data)

    @extend_schema(responses=StageChangeSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def stages(self, request, pk=None):
        """The stage history: who moved it, when, why, and how long each stage lasted."""
        rows = stage_history(self.get_object())
        return Response(StageChangeSerializer(rows, many=True).data)

    @extend_schema(methods=["get"], request=None, responses=ContactAttemptSerializer(many=True))
    @extend_schema(
        methods=["post"],
        request=ContactAttemptSerializer,
        responses={201: ContactAttemptSerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def attempts(self, request, pk=None):
        """Contact attempts; POST records one (the first moves a new request to contacted)."""
        consultation = self.get_object()
        if request.method == "GET":
            rows = consultation.contact_attempts.select_related("recorded_by")
            return Response(ContactAttemptSerializer(rows, many=True).data)
        fields = validated(ContactAttemptSerializer, request)
        with service_errors():
            attempt = contact_attempt_record(
                request=consultation, recorded_by=request.user, **fields
            )
        return Response(ContactAttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)
