"""The patient's ledger in the API: entries with the running balance, new charges, payments
and adjustments, refunds of a payment; and the balances owed. Never an update or a delete."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.decorators import action

from clinic.access import HasRole
from clinic.api import NamedChoiceField, StaffSerializer, service_errors, validated
from clinic.models import Location
from clinic.roles import DESK
from patients.api.common import PatientRecordViewSet
from scheduling.api.common import PatientRefSerializer, SchedulingErrorSerializer
from scheduling.models import Appointment

from ..models import EntryKind, LedgerEntry, PaymentMethod, PriceItem
from ..selectors.ledger import balances_for
from ..services import ledger as services
from ..services.cards import payment_refund

REFUSED = {400: SchedulingErrorSerializer, 403: SchedulingErrorSerializer}
MONEY = {"max_digits": 10, "decimal_places": 2, "min_value": Decimal("0.01")}


class LedgerEntrySerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(EntryKind.choices, enum_name="LedgerEntryKindEnum")
    # Blank on charges and adjustments (no money moved by a method).
    method = NamedChoiceField(
        [("", "None"), *PaymentMethod.choices], enum_name="LedgerEntryMethodEnum", read_only=True
    )
    recorded_by = StaffSerializer(read_only=True)
    balance_after_usd = serializers.DecimalField(
        source="balance_after", max_digits=12, decimal_places=2, read_only=True, default=None
    )

    class Meta:
        model = LedgerEntry
        fields = [
            "id", "kind", "amount_usd", "method", "reference", "description", "location",
            "price_item", "appointment", "refund_of", "reason", "recorded_at", "recorded_by",
            "balance_after_usd",
        ]  # fmt: skip
        read_only_fields = fields


class LedgerEntryInputSerializer(serializers.Serializer):
    kind = NamedChoiceField(
        [(EntryKind.CHARGE.value, "Charge"), (EntryKind.PAYMENT.value, "Payment"),
         (EntryKind.ADJUSTMENT.value, "Adjustment")], enum_name="NewLedgerEntryKindEnum",
    )  # fmt: skip
    amount_usd = serializers.DecimalField(**MONEY, required=False)
    method = NamedChoiceField(PaymentMethod.choices, enum_name="PaymentMethodEnum", required=False)
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    price_item = serializers.PrimaryKeyRelatedField(
        queryset=PriceItem.objects.all(), required=False, allow_null=True
    )
    appointment = serializers.PrimaryKeyRelatedField(
        queryset=Appointment.objects.none(), required=False, allow_null=True
    )
    direction = serializers.ChoiceField(["credit", "debit"], required=False)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), required=False, allow_null=True,
        help_text="A payment: the site where it is taken (its drawer and day's close), one of "
        "the caller's; the patient's home site if not given.",
    )  # fmt: skip

    def __init__(self, *args, patient=None, **kwargs):
        super().__init__(*args, **kwargs)
        if patient is not None:
            self.fields["appointment"].queryset = patient.appointments.all()
            self.fields["price_item"].queryset = PriceItem.objects.filter(
                price_list__location=patient.home_location
            )

    def validate(self, attrs):
        kind = attrs["kind"]
        needed = {
            EntryKind.PAYMENT: ("amount_usd", "method"),
            EntryKind.ADJUSTMENT: ("amount_usd", "direction", "reason"),
        }.get(kind, ())
        missing = {name: ["This field is required."] for name in needed if name not in attrs}
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


ACCEPTS = {
    EntryKind.CHARGE: ("price_item", "amount_usd", "description", "appointment"),
    EntryKind.PAYMENT: ("amount_usd", "method", "reference", "location"),
    EntryKind.ADJUSTMENT: ("amount_usd", "direction", "reason"),
}
WRITES = {
    EntryKind.CHARGE: services.ledger_charge,
    EntryKind.PAYMENT: services.ledger_payment,
    EntryKind.ADJUSTMENT: services.ledger_adjust,
}


class LedgerRefundSerializer(serializers.Serializer):
    amount_usd = serializers.DecimalField(**MONEY)
    reason = serializers.CharField(max_length=300)
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class LedgerViewSet(PatientRecordViewSet):
    """The patient's ledger, oldest first, each entry with the balance after it. Amounts are
    signed as they move the balance (payments negative)."""

    ordering_fields = ("recorded_at",)

    queryset = LedgerEntry.objects.select_related("recorded_by")
    serializer_class = LedgerEntrySerializer
    read_roles, write_roles = DESK, DESK

    def get_queryset(self):
        from django.db.models import F, Sum, Window

        return (
            super()
            .get_queryset()
            .annotate(
                balance_after=Window(
                    Sum("amount_usd"), order_by=[F("recorded_at").asc(), F("pk").asc()]
                )
            )
            .order_by("recorded_at", "pk")
        )

    @extend_schema(
        request=LedgerEntryInputSerializer,
        responses={201: LedgerEntrySerializer, **REFUSED, 409: SchedulingErrorSerializer},
    )
    def create(self, request, *args, **kwargs):
        """A charge (a price list item or an amount with a description, optionally for one
        visit), a payment (amount, method, the terminal's reference or check number) or an
        adjustment (credit or debit, with the reason)."""
        fields = validated(LedgerEntryInputSerializer, request, patient=self.patient)
        kind = fields.pop("kind")
        taken = {name: fields[name] for name in ACCEPTS[kind] if name in fields}
        with service_errors():
            entry = WRITES[kind](patient=self.patient, by=request.user, **taken)
        return self.created(entry)

    @extend_schema(
        request=LedgerRefundSerializer, responses={201: LedgerEntrySerializer, **REFUSED}
    )
    @action(detail=True, methods=["post"])
    def refund(self, request, *args, **kwargs):
        """Give back part or all of this payment (never more than is left), with the reason;
        a card payment taken through the provider is given back to the card there."""
        payment = self.get_object()
        fields = validated(LedgerRefundSerializer, request)
        with service_errors({"refund_of": "non_field_errors"}):
            entry = payment_refund(payment=payment, by=request.user, **fields)
        return self.created(entry)


class PatientBalanceSerializer(serializers.Serializer):
    patient = PatientRefSerializer(source="*")
    balance_usd = serializers.DecimalField(max_digits=12, decimal_places=2)


class BalancesView(generics.ListAPIView):
    """Patients at the caller's sites who owe the clinic, largest balance first."""

    permission_classes = [HasRole.of(*DESK)]
    serializer_class = PatientBalanceSerializer
    filter_backends = []

    def get_queryset(self):
        return balances_for(self.request.user)
