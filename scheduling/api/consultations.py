"""Consultations: a physician's appointment with someone who asked for one (no chair)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clinic.api import RoleRules, StaffSerializer, service_errors, validated
from clinic.roles import DESK
from patients.models import ConsultationRequest
from patients.selectors import open_consultation_requests_for

from ..models import Consultation, ConsultationMode, ConsultationStatusChange
from ..selectors.pipeline import consultations_for
from ..services import consultation_book, consultation_cancel
from ..services.consultations import ALLOWED_MINUTES, CONSULTATION_MINUTES
from .common import AwareDateTimeField, CallerScopedId, SchedulingErrorSerializer, staff_id


class ConsultationStatusChangeSerializer(serializers.ModelSerializer):
    from_status = serializers.CharField(help_text="Empty for the booking itself.")
    changed_by = StaffSerializer()

    class Meta:
        model = ConsultationStatusChange
        fields = ["from_status", "to_status", "changed_at", "changed_by", "reason"]
        read_only_fields = fields


class ConsultationSerializer(serializers.ModelSerializer):
    physician = StaffSerializer(read_only=True)
    booked_by = StaffSerializer(read_only=True)
    status_changes = ConsultationStatusChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Consultation
        fields = [
            "id", "request", "location", "physician", "mode", "starts_at", "ends_at", "status",
            "booked_by", "booked_at", "status_changes",
        ]  # fmt: skip
        read_only_fields = fields


class ConsultationCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text="Why the consultation is cancelled.")
    back_to_contacted = serializers.BooleanField(
        default=True,
        help_text='The request goes back to "contacted" (to book again or close); false: it '
        'stays "consultation booked" (a new time will be booked).',
    )


class ConsultationBookingSerializer(serializers.Serializer):
    request = CallerScopedId(open_consultation_requests_for, ConsultationRequest)
    physician = staff_id()
    starts_at = AwareDateTimeField()
    mode = serializers.ChoiceField(choices=ConsultationMode.choices)
    minutes = serializers.ChoiceField(choices=ALLOWED_MINUTES, default=CONSULTATION_MINUTES)


class ConsultationViewSet(
    RoleRules, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Consultations at the caller's sites, soonest first, each with its status history. POST
    books one for a request before registration at the request's site: within opening
    hours, the physician not already booked (409). ``cancel`` cancels a booked one that has
    not started."""

    ordering_fields = ("starts_at", "booked_at")

    queryset = Consultation.objects.none()  # for the schema; requests use get_queryset
    serializer_class = ConsultationSerializer
    read_roles = write_roles = DESK

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Consultation.objects.none()
        return consultations_for(self.request.user)

    @extend_schema(
        request=ConsultationBookingSerializer,
        responses={
            201: ConsultationSerializer,
            400: SchedulingErrorSerializer,
            409: SchedulingErrorSerializer,
        },
    )
    def create(self, request, *args, **kwargs):
        fields = validated(ConsultationBookingSerializer, request)
        consultation_request = fields.pop("request")
        with service_errors():
            consultation = consultation_book(
                request=consultation_request, location=consultation_request.preferred_location,
                booked_by=request.user, **fields,
            )  # fmt: skip
        return Response(ConsultationSerializer(consultation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ConsultationCancelSerializer,
        responses={200: ConsultationSerializer, 400: SchedulingErrorSerializer,
                   403: SchedulingErrorSerializer},
    )  # fmt: skip
    @action(detail=True, methods=["post"])
    def cancel(self, request, *args, **kwargs):
        """Cancel with a reason: the physician's time is free again; the request goes back to
        "contacted" unless ``back_to_contacted`` is false. 400: already cancelled, started
        or past (nothing written)."""
        consultation = self.get_object()
        fields = validated(ConsultationCancelSerializer, request)
        with service_errors():
            consultation = consultation_cancel(
                consultation=consultation, cancelled_by=request.user, **fields
            )
        fresh = self.get_queryset().get(pk=consultation.pk)
        return Response(ConsultationSerializer(fresh).data)
