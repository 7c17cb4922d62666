"""Coverages (versioned), the payment choice and benefits checks of one patient, at
``/patients/{patient_pk}/...``, and the courses whose benefits are due a check."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, serializers
from rest_framework.decorators import action

from clinic.access import HasRole
from clinic.api import NamedChoiceField, StaffSerializer, service_errors, validated
from clinic.roles import DESK
from patients.api.common import PatientRecordViewSet
from scheduling.api.common import PatientRefSerializer, SchedulingErrorSerializer

from ..models import BenefitsCheck, CheckMethod, CheckResult, Coverage, Funding, PaymentChoice
from ..selectors.coverage import checks_due_for
from ..services import coverage as services
from ..services.coverage import COVERAGE_FIELDS

KEEPERS = DESK
REFUSED = {400: SchedulingErrorSerializer, 403: SchedulingErrorSerializer}


class BenefitsCheckSerializer(serializers.ModelSerializer):
    method = NamedChoiceField(CheckMethod.choices, enum_name="BenefitsCheckMethodEnum")
    result = NamedChoiceField(CheckResult.choices, enum_name="BenefitsCheckResultEnum")
    checked_by = StaffSerializer(read_only=True)

    class Meta:
        model = BenefitsCheck
        fields = [
            "id", "coverage", "checked_at", "checked_by", "method", "result", "reference_number",
            "patient_responsibility_usd", "note", "response_text", "recorded_at",
        ]  # fmt: skip
        read_only_fields = fields


class CoverageSerializer(serializers.ModelSerializer):
    recorded_by = StaffSerializer(read_only=True)
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = Coverage
        fields = [
            "id", *COVERAGE_FIELDS, "ended", "supersedes", "change_reason", "recorded_at",
            "recorded_by", "is_current",
        ]  # fmt: skip
        read_only_fields = fields

    def get_is_current(self, coverage) -> bool:
        return not coverage.ended and not hasattr(coverage, "superseded_by")


class CoverageInputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Coverage
        fields = list(COVERAGE_FIELDS)
        extra_kwargs = {"subscriber_name": {"required": False, "allow_blank": True}}

    def validate(self, attrs):
        return attrs  # the service cleans the row (and the rules across rows)


class CoverageChangeSerializer(CoverageInputSerializer):
    change_reason = serializers.CharField(max_length=300)

    class Meta(CoverageInputSerializer.Meta):
        fields = [*COVERAGE_FIELDS, "change_reason"]
        extra_kwargs = {name: {"required": False} for name in COVERAGE_FIELDS}


class CoverageEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(help_text="The last day covered.")
    change_reason = serializers.CharField(max_length=300)


class CoverageViewSet(PatientRecordViewSet, mixins.CreateModelMixin):
    """Every version of the patient's coverages, newest first. A change or an end is a new
    version (``supersedes`` the last, with ``change_reason``); nothing is edited in place."""

    ordering_fields = ("effective_from", "recorded_at")

    queryset = Coverage.objects.select_related("recorded_by", "superseded_by")
    serializer_class = CoverageSerializer
    read_roles, write_roles = KEEPERS, KEEPERS

    @extend_schema(request=CoverageInputSerializer, responses={201: CoverageSerializer, **REFUSED})
    def create(self, request, *args, **kwargs):
        """Add a coverage: one current primary, one current secondary (after a primary)."""
        fields = validated(CoverageInputSerializer, request)
        with service_errors():
            coverage = services.coverage_add(patient=self.patient, by=request.user, **fields)
        return self.created(self.get_queryset().get(pk=coverage.pk))

    @extend_schema(
        request=CoverageChangeSerializer,
        responses={201: CoverageSerializer, **REFUSED, 409: SchedulingErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def change(self, request, *args, **kwargs):
        """A new version with the fields given changed; 409 if this version is not current."""
        coverage = self.get_object()
        fields = dict(validated(CoverageChangeSerializer, request))
        reason = fields.pop("change_reason")
        with service_errors():
            version = services.coverage_change(
                coverage=coverage, by=request.user, reason=reason, **fields
            )
        return self.created(self.get_queryset().get(pk=version.pk))

    @extend_schema(
        request=CoverageEndSerializer,
        responses={201: CoverageSerializer, **REFUSED, 409: SchedulingErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def end(self, request, *args, **kwargs):
        """End the coverage on ``ended_on``: a last version, marked ended."""
        coverage = self.get_object()
        fields = validated(CoverageEndSerializer, request)
        with service_errors():
            version = services.coverage_end(
                coverage=coverage, by=request.user, reason=fields["change_reason"],
                ended_on=fields["ended_on"],
            )  # fmt: skip
        return self.created(self.get_queryset().get(pk=version.pk))

    @extend_schema(request=None, responses={201: BenefitsCheckSerializer, **REFUSED})
    @action(detail=True, methods=["post"], url_path="check-electronic")
    def check_electronic(self, request, *args, **kwargs):
        """Ask the payer through the clearinghouse (X12 270/271) and record the answer as a
        benefits check; 400 on ``coverage`` when there is no answer or a rejection."""
        coverage = self.get_object()
        with service_errors():
            check = services.benefits_check_electronic(coverage=coverage, by=request.user)
        return self.created(check, BenefitsCheckSerializer)


class PaymentChoiceSerializer(serializers.ModelSerializer):
    funding = NamedChoiceField(Funding.choices, enum_name="FundingEnum")
    recorded_by = StaffSerializer(read_only=True)

    class Meta:
        model = PaymentChoice
        fields = ["id", "funding", "reason", "recorded_at", "recorded_by"]
        read_only_fields = ["id", "recorded_at", "recorded_by"]


class PaymentChoiceViewSet(PatientRecordViewSet, mixins.CreateModelMixin):
    """The patient's choices of who pays, newest first; the newest counts."""

    ordering_fields = ("recorded_at",)

    queryset = PaymentChoice.objects.select_related("recorded_by")
    serializer_class = PaymentChoiceSerializer
    read_roles, write_roles = KEEPERS, KEEPERS

    @extend_schema(responses={201: PaymentChoiceSerializer, **REFUSED})
    def create(self, request, *args, **kwargs):
        fields = validated(PaymentChoiceSerializer, request)
        with service_errors():
            choice = services.payment_choice_record(patient=self.patient, by=request.user, **fields)
        return self.created(choice)


class BenefitsCheckInputSerializer(serializers.Serializer):
    coverage = serializers.PrimaryKeyRelatedField(queryset=Coverage.objects.none())
    method = NamedChoiceField(
        [(CheckMethod.PHONE.value, "Phone"), (CheckMethod.PORTAL.value, "Payer portal")],
        enum_name="ManualCheckMethodEnum",
    )
    result = NamedChoiceField(CheckResult.choices, enum_name="BenefitsCheckResultEnum")
    reference_number = serializers.CharField(max_length=60)
    patient_responsibility_usd = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=Decimal("0"), required=False, allow_null=True
    )
    checked_at = serializers.DateTimeField(required=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def __init__(self, *args, patient=None, **kwargs):
        super().__init__(*args, **kwargs)
        if patient is not None:
            self.fields["coverage"].queryset = Coverage.objects.filter(patient=patient)


class BenefitsCheckViewSet(PatientRecordViewSet, mixins.CreateModelMixin):
    """The patient's benefits checks, newest first. A check by phone or portal is recorded
    here; an electronic one is asked for on the coverage (``check-electronic``)."""

    ordering_fields = ("checked_at",)

    queryset = BenefitsCheck.objects.select_related("checked_by")
    serializer_class = BenefitsCheckSerializer
    read_roles, write_roles = KEEPERS, KEEPERS

    @extend_schema(
        request=BenefitsCheckInputSerializer, responses={201: BenefitsCheckSerializer, **REFUSED}
    )
    def create(self, request, *args, **kwargs):
        fields = validated(BenefitsCheckInputSerializer, request, patient=self.patient)
        with service_errors():
            check = services.benefits_check_record(by=request.user, **fields)
        return self.created(check)


class CheckDueSerializer(serializers.Serializer):
    course = serializers.IntegerField(source="pk")
    patient = PatientRefSerializer()
    location = serializers.IntegerField(source="location_id")
    first_start = serializers.DateTimeField()
    last_checked_at = serializers.DateTimeField(allow_null=True)


class ChecksDueView(generics.ListAPIView):
    """Courses not started yet, for insured patients, whose last benefits check is missing or
    older than 30 days before the first session; soonest first."""

    permission_classes = [HasRole.of(*KEEPERS)]
    serializer_class = CheckDueSerializer
    filter_backends = []

    def get_queryset(self):
        return checks_due_for(self.request.user)
