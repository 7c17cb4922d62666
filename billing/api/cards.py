"""Card payments through the provider and course packages in the API: start a card payment
(the ``idempotency_key`` makes a retried call one payment), check it with the provider,
refund it through the provider; sell a package, give back unused infusions; the visits the
desk has to charge by hand, and waiving one (not charged, with the reason). Never an update
or a delete."""

from decimal import Decimal

from django_filters.rest_framework import FilterSet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from clinic.access import HasRole
from clinic.api import StaffSerializer, service_errors, validated
from clinic.filters import IdFilter, OrderBy
from clinic.roles import DESK
from patients.api.common import PatientRecordViewSet
from scheduling.api.common import PatientRefSerializer, SchedulingErrorSerializer
from scheduling.selectors.scope import appointments_for

from ..models import PACKAGE_SIZES, CardIntent, ChargeReview, ChargeReviewWaiver, PackagePurchase
from ..selectors.packages import charges_to_review_for, infusions_left
from ..services import cards, packages
from ..services.charging import charge_review_waive
from .ledger import LedgerEntrySerializer

REFUSED = {400: SchedulingErrorSerializer, 403: SchedulingErrorSerializer}
MONEY = {"max_digits": 10, "decimal_places": 2, "min_value": Decimal("0.01")}


class CardPaymentSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField(
        help_text="paid (on the ledger), declined, or waiting for the card."
    )
    payment = serializers.SerializerMethodField(help_text="The ledger payment, once paid.")
    created_by = StaffSerializer(read_only=True)

    class Meta:
        model = CardIntent
        fields = [
            "id", "amount_usd", "provider", "intent_id", "client_secret", "idempotency_key",
            "status", "payment", "created_at", "created_by",
        ]  # fmt: skip
        read_only_fields = fields

    def get_status(self, intent) -> str:
        return cards.intent_status(intent)

    def get_payment(self, intent) -> int | None:
        settlement = getattr(intent, "settlement", None)
        return settlement.payment_id if settlement else None


class CardPaymentInputSerializer(serializers.Serializer):
    amount_usd = serializers.DecimalField(**MONEY)
    idempotency_key = serializers.CharField(max_length=100, required=False, allow_blank=True)


class CardRefundSerializer(serializers.Serializer):
    amount_usd = serializers.DecimalField(**MONEY)
    reason = serializers.CharField(max_length=300)
    idempotency_key = serializers.CharField(max_length=100, required=False, allow_blank=True)


class CardPaymentViewSet(PatientRecordViewSet):
    """The patient's card payments through the provider, newest first."""

    ordering_fields = ("created_at", "amount_usd")

    queryset = CardIntent.objects.select_related("created_by", "settlement").prefetch_related(
        "events"
    )
    serializer_class = CardPaymentSerializer
    read_roles, write_roles = DESK, DESK

    @extend_schema(request=CardPaymentInputSerializer,
                   responses={201: CardPaymentSerializer, **REFUSED})  # fmt: skip
    def create(self, request, *args, **kwargs):
        """Start a card payment: a payment intent at the provider for the amount. The same
        ``idempotency_key`` again answers the same payment (here and at the provider)."""
        fields = validated(CardPaymentInputSerializer, request)
        with service_errors():
            intent = cards.card_payment_start(patient=self.patient, by=request.user, **fields)
        return self.created(intent)

    @extend_schema(request=None, responses={200: CardPaymentSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def check(self, request, *args, **kwargs):
        """Ask the provider now (a late webhook): a succeeded payment is recorded at once."""
        intent = self.get_object()
        with service_errors():
            cards.card_payment_check(intent=intent, by=request.user)
        return Response(self.get_serializer(CardIntent.objects.get(pk=intent.pk)).data)

    @extend_schema(request=CardRefundSerializer, responses={201: LedgerEntrySerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def refund(self, request, *args, **kwargs):
        """Give back part or all of this card payment through the provider, with the reason;
        the refund is on the ledger when this answers."""
        intent = self.get_object()
        fields = validated(CardRefundSerializer, request)
        settlement = getattr(intent, "settlement", None)
        if settlement is None:
            raise serializers.ValidationError({"non_field_errors": ["This payment is not paid."]})
        with service_errors({"refund_of": "non_field_errors"}):
            entry = cards.card_refund(payment=settlement.payment, by=request.user, **fields)
        return self.created(entry, LedgerEntrySerializer)


class PackageSerializer(serializers.ModelSerializer):
    used = serializers.IntegerField(read_only=True)
    released = serializers.IntegerField(read_only=True, help_text="Infusions given back.")
    left = serializers.IntegerField(read_only=True)
    sold_by = StaffSerializer(read_only=True)

    class Meta:
        model = PackagePurchase
        fields = [
            "id", "location", "infusions", "price_usd", "price_item", "charge", "used",
            "released", "left", "sold_at", "sold_by",
        ]  # fmt: skip
        read_only_fields = fields


class PackageSellSerializer(serializers.Serializer):
    infusions = serializers.ChoiceField([(n, str(n)) for n in PACKAGE_SIZES])


class PackageReleaseSerializer(serializers.Serializer):
    infusions = serializers.IntegerField(min_value=1, max_value=12)
    reason = serializers.CharField(max_length=250)


class PackageViewSet(PatientRecordViewSet):
    """The patient's course packages with the infusions used, given back and left."""

    ordering_fields = ("sold_at", "infusions")

    queryset = PackagePurchase.objects.select_related("sold_by")
    serializer_class = PackageSerializer
    read_roles, write_roles = DESK, DESK

    def get_queryset(self):
        return infusions_left(super().get_queryset()).order_by("sold_at", "pk")

    def _fresh(self, pk):
        return infusions_left(PackagePurchase.objects.filter(pk=pk)).select_related("sold_by").get()

    @extend_schema(request=PackageSellSerializer, responses={201: PackageSerializer, **REFUSED})
    def create(self, request, *args, **kwargs):
        """Sell a package of 6, 8, 10 or 12 infusions at today's price of the patient's
        site (charged on the ledger)."""
        fields = validated(PackageSellSerializer, request)
        with service_errors():
            purchase = packages.package_sell(patient=self.patient, by=request.user, **fields)
        return self.created(self._fresh(purchase.pk))

    @extend_schema(request=PackageReleaseSerializer, responses={201: PackageSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def release(self, request, *args, **kwargs):
        """Give back unused infusions, credited pro rata on the ledger, with the reason."""
        purchase = self.get_object()
        fields = validated(PackageReleaseSerializer, request)
        with service_errors():
            packages.package_release(purchase=purchase, by=request.user, **fields)
        return self.created(self._fresh(purchase.pk))


class ChargeReviewSerializer(serializers.ModelSerializer):
    patient = PatientRefSerializer(source="appointment.patient", read_only=True)
    starts_at = serializers.DateTimeField(source="appointment.starts_at", read_only=True)

    class Meta:
        model = ChargeReview
        fields = ["id", "appointment", "patient", "starts_at", "reason", "created_at"]
        read_only_fields = fields


class ChargeReviewFilter(FilterSet):
    site = IdFilter(field_name="appointment__location", help_text="Only this site's visits.")
    ordering = OrderBy("appointment__starts_at", "created_at")


class ChargesToReviewView(generics.ListAPIView):
    """Completed visits at the caller's sites not charged by themselves (no prices that
    day), until charged on the ledger, covered by a package or waived."""

    permission_classes = [HasRole.of(*DESK)]
    serializer_class = ChargeReviewSerializer
    filterset_class = ChargeReviewFilter
    queryset = ChargeReview.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ChargeReview.objects.none()
        return charges_to_review_for(self.request.user)


class ChargeReviewWaiveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text="Why the visit is not charged.")


class ChargeReviewWaiverSerializer(serializers.ModelSerializer):
    waived_by = StaffSerializer(read_only=True)

    class Meta:
        model = ChargeReviewWaiver
        fields = ["id", "review", "reason", "waived_at", "waived_by"]
        read_only_fields = fields


class ChargeReviewWaiveView(generics.GenericAPIView):
    """Waive a charge to review: the visit is not charged (the reason is kept) and leaves
    the list. Refused (409) when already waived, charged or covered by a package."""

    permission_classes = [HasRole.of(*DESK)]
    serializer_class = ChargeReviewWaiverSerializer
    filter_backends = []
    queryset = ChargeReview.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ChargeReview.objects.none()
        visits = appointments_for(self.request.user)
        return ChargeReview.objects.filter(appointment__in=visits).select_related(
            "appointment__patient"
        )

    @extend_schema(
        request=ChargeReviewWaiveSerializer,
        responses={200: ChargeReviewWaiverSerializer, 409: SchedulingErrorSerializer, **REFUSED},
    )
    def post(self, request, *args, **kwargs):
        review = self.get_object()
        fields = validated(ChargeReviewWaiveSerializer, request)
        with service_errors():
            waiver = charge_review_waive(review=review, by=request.user, **fields)
        return Response(ChargeReviewWaiverSerializer(waiver).data)
