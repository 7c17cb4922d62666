"""Price lists (read by the desk, published by clinic admins) and a patient's Good Faith
Estimates (issue, update, record a delivery)."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clinic.api import NamedChoiceField, RoleRules, StaffSerializer, service_errors, validated
from clinic.roles import ADMINS, DESK
from patients.api.common import PatientRecordViewSet
from scheduling.api.common import SchedulingErrorSerializer, location_id
from scheduling.models import Course

from ..models import DeliveryMethod, EstimateDelivery, EstimateLine, GoodFaithEstimate, PriceItem
from ..models import PriceList as PriceListModel
from ..selectors.prices import price_lists_for
from ..services import prices as services
from ..services.prices import PRICE_SLOTS, REQUIRED, price_key

REFUSED = {400: SchedulingErrorSerializer, 403: SchedulingErrorSerializer}


class PriceItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriceItem
        fields = ["kind", "infusions", "price_usd", "codes"]
        read_only_fields = fields


class PriceListSerializer(serializers.ModelSerializer):
    items = PriceItemSerializer(many=True, read_only=True)
    created_by = StaffSerializer(read_only=True)

    class Meta:
        model = PriceListModel
        fields = ["id", "location", "effective_from", "note", "created_at", "created_by", "items"]
        read_only_fields = fields


class PriceListPublishSerializer(serializers.Serializer):
    location = location_id()
    effective_from = serializers.DateField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, infusions in PRICE_SLOTS:
            self.fields[price_key(kind, infusions)] = serializers.DecimalField(
                max_digits=10, decimal_places=2, min_value=Decimal("0.01"),
                required=(kind, infusions) in REQUIRED, allow_null=True,
                help_text="USD",
            )  # fmt: skip


class PriceListViewSet(
    RoleRules, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Price lists of the caller's sites, newest first. A new version is published here by a
    clinic admin (from today or later); none is ever changed."""

    ordering_fields = ("effective_from",)

    queryset = PriceListModel.objects.none()
    serializer_class = PriceListSerializer
    read_roles, write_roles = DESK, ADMINS

    def get_queryset(self):
        return price_lists_for(self.request.user)

    @extend_schema(
        request=PriceListPublishSerializer, responses={201: PriceListSerializer, **REFUSED}
    )
    def create(self, request, *args, **kwargs):
        fields = dict(validated(PriceListPublishSerializer, request))
        meta = {name: fields.pop(name) for name in ("location", "effective_from", "note")}
        with service_errors():
            price_list = services.price_list_publish(by=request.user, prices_usd=fields, **meta)
        body = PriceListSerializer(self.get_queryset().get(pk=price_list.pk)).data
        return Response(body, status=201)


class EstimateLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = EstimateLine
        fields = ["description", "codes", "quantity", "unit_price_usd", "amount_usd"]
        read_only_fields = fields


class EstimateDeliverySerializer(serializers.ModelSerializer):
    method = NamedChoiceField(DeliveryMethod.choices, enum_name="EstimateDeliveryMethodEnum")
    delivered_by = StaffSerializer(read_only=True)

    class Meta:
        model = EstimateDelivery
        fields = ["method", "sent_to", "delivered_at", "delivered_by"]
        read_only_fields = ["sent_to", "delivered_at", "delivered_by"]


class EstimateSerializer(serializers.ModelSerializer):
    lines = EstimateLineSerializer(many=True, read_only=True)
    deliveries = EstimateDeliverySerializer(many=True, read_only=True)
    issued_by = StaffSerializer(read_only=True)
    dispute_threshold_usd = serializers.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        model = GoodFaithEstimate
        fields = [
            "id", "location", "course", "price_list", "requested", "scheduled_on",
            "first_service_on", "due_by", "practice_name", "practice_address", "npi", "tin",
            "diagnosis_codes", "total_usd", "dispute_threshold_usd", "supersedes",
            "change_reason", "issued_at", "issued_by", "lines", "deliveries",
        ]  # fmt: skip
        read_only_fields = fields


class EstimateIssueSerializer(serializers.Serializer):
    course = serializers.PrimaryKeyRelatedField(
        queryset=Course.objects.none(), required=False, allow_null=True
    )
    infusions = serializers.IntegerField(min_value=1, max_value=24, required=False)
    consultation = serializers.BooleanField(required=False, default=False)

    def __init__(self, *args, patient=None, **kwargs):
        super().__init__(*args, **kwargs)
        if patient is not None:
            self.fields["course"].queryset = patient.courses.all()


class EstimateUpdateSerializer(serializers.Serializer):
    infusions = serializers.IntegerField(min_value=1, max_value=24, required=False)
    consultation = serializers.BooleanField(required=False, default=False)
    change_reason = serializers.CharField(max_length=300)


class EstimateViewSet(PatientRecordViewSet):
    """The patient's Good Faith Estimates, newest first, each as issued (lines, total, the
    practice's NPI and TIN, the deadline) with its deliveries."""

    ordering_fields = ("issued_at",)

    queryset = GoodFaithEstimate.objects.select_related("issued_by").prefetch_related(
        "lines", "deliveries__delivered_by"
    )
    serializer_class = EstimateSerializer
    read_roles, write_roles = DESK, DESK

    @extend_schema(request=EstimateIssueSerializer, responses={201: EstimateSerializer, **REFUSED})
    def create(self, request, *args, **kwargs):
        """Issue an estimate: for a booked ``course``, or asked for (``infusions``)."""
        fields = validated(EstimateIssueSerializer, request, patient=self.patient)
        with service_errors():
            estimate = services.estimate_issue(patient=self.patient, by=request.user, **fields)
        return self.created(self.get_queryset().get(pk=estimate.pk))

    @extend_schema(
        request=EstimateUpdateSerializer,
        responses={201: EstimateSerializer, **REFUSED, 409: SchedulingErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def update_estimate(self, request, *args, **kwargs):
        """An updated estimate replacing this one (the course changed), with the reason."""
        earlier = self.get_object()
        fields = validated(EstimateUpdateSerializer, request)
        with service_errors():
            estimate = services.estimate_issue(
                patient=self.patient, by=request.user, course=earlier.course,
                infusions=fields.get("infusions"), consultation=fields["consultation"],
                supersedes=earlier, reason=fields["change_reason"],
            )  # fmt: skip
        return self.created(self.get_queryset().get(pk=estimate.pk))

    @extend_schema(
        request=EstimateDeliverySerializer,
        responses={201: EstimateDeliverySerializer, **REFUSED, 409: SchedulingErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def deliver(self, request, *args, **kwargs):
        """Record that the estimate was given: ``print`` or ``email`` (sent to the patient)."""
        estimate = self.get_object()
        fields = validated(EstimateDeliverySerializer, request)
        with service_errors():
            delivery = services.estimate_deliver(
                estimate=estimate, method=fields["method"], by=request.user
            )
        return self.created(delivery, EstimateDeliverySerializer)
