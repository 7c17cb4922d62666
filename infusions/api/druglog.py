"""The controlled-substance log: lots (receiving) and entries (draw, adjust, and an
infusion's account of given + wasted). Every write is a service call; entries are never
changed or deleted. Reconciliation, inventories and the CSV report: ``reconciliation``."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from clinic.api import (
    ListCreateRetrieve,
    NamedChoiceField,
    RoleRules,
    StaffSerializer,
    validated,
)
from clinic.models import Location, User
from clinic.roles import CLINICAL_READERS

from ..models import (
    DrugLogEntry,
    EntryKind,
    Lot,
)
from ..selectors.druglog import (
    entries_for,
    lot_for,
    lots_for,
)
from ..selectors.orders import order_for
from ..services import (
    ADJUSTERS,
    HANDLERS,
    RECEIVERS,
    drug_draw,
    drug_log_adjust,
    infusion_drug_account,
    lot_receive,
)
from .filters import DrugLogEntryFilter


def site_field(**kwargs):
    return serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.filter(is_active=True), **kwargs
    )


def staff_field(**kwargs):
    return serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), **kwargs
    )


class LotSerializer(serializers.ModelSerializer):
    received_by = StaffSerializer(read_only=True)
    balance_mg = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True
    )
    balance_ml = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True
    )

    class Meta:
        model = Lot
        fields = [
            "id", "location", "lot_number", "concentration_mg_per_ml", "vial_volume_ml",
            "expires_on", "received_vials", "received_at", "received_by", "supplier",
            "balance_mg", "balance_ml",
        ]  # fmt: skip
        read_only_fields = fields


class LotInputSerializer(serializers.Serializer):
    location = site_field()
    lot_number = serializers.CharField(max_length=40)
    concentration_mg_per_ml = serializers.DecimalField(max_digits=6, decimal_places=2)
    vial_volume_ml = serializers.DecimalField(max_digits=6, decimal_places=2)
    expires_on = serializers.DateField()
    vials = serializers.IntegerField(min_value=1)
    received_at = serializers.DateTimeField(required=False)
    supplier = serializers.CharField(required=False, allow_blank=True, max_length=120)


class LotViewSet(ListCreateRetrieve):
    """Lots at the caller's sites with their running balance. POST receives a lot."""

    ordering_fields = ("received_at", "expires_on")

    serializer_class = LotSerializer
    queryset = Lot.objects.none()
    read_roles, write_roles = CLINICAL_READERS, RECEIVERS

    def get_queryset(self):
        return lots_for(self.request.user)

    @extend_schema(request=LotInputSerializer, responses={201: LotSerializer})
    def create(self, request, *args, **kwargs):
        lot = lot_receive(received_by=request.user, **validated(LotInputSerializer, request))
        body = self.get_serializer(lot_for(request.user, lot.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)


class EntrySerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(EntryKind.choices, enum_name="DrugLogEntryKindEnum", read_only=True)
    by = StaffSerializer(read_only=True)
    witness = StaffSerializer(read_only=True, allow_null=True)

    class Meta:
        model = DrugLogEntry
        fields = [
            "id", "location", "lot", "kind", "order", "mg", "ml", "stock_change_mg",
            "stock_change_ml", "balance_mg", "balance_ml", "by", "witness", "reason",
            "occurred_at", "business_date", "recorded_at",
        ]  # fmt: skip
        read_only_fields = fields


class EntryInputSerializer(serializers.Serializer):
    kind = NamedChoiceField(
        [(EntryKind.DRAWN, "Drawn"), (EntryKind.ADJUSTMENT, "Adjustment")],
        enum_name="DrugLogWritableKindEnum",
        help_text="Received: POST /lots/. Administered and wasted: "
        "POST /drug-log-entries/account/.",
    )
    lot = serializers.IntegerField()
    ml = serializers.DecimalField(max_digits=10, decimal_places=2, help_text="Adjustments: signed.")
    order = serializers.IntegerField(required=False, help_text="Drawn: the dose order drawn for.")
    reason = serializers.CharField(required=False, allow_blank=True)
    occurred_at = serializers.DateTimeField(required=False)


class AccountInputSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    administered_mg = serializers.DecimalField(max_digits=10, decimal_places=2)
    wasted_mg = serializers.DecimalField(max_digits=10, decimal_places=2)
    witness = staff_field(required=False, allow_null=True)
    witness_password = serializers.CharField(
        required=False, allow_blank=True, write_only=True, trim_whitespace=False,
        style={"input_type": "password"},
        help_text="With waste: the witness's own password, typed by the witness now. A wrong "
        "one counts toward the witness's lockout.",
    )  # fmt: skip
    witness_otp_token = serializers.CharField(
        required=False, allow_blank=True, write_only=True,
        help_text="With waste, when the witness has an authenticator: their current code.",
    )  # fmt: skip
    occurred_at = serializers.DateTimeField(required=False)


def date_param(params, name):
    value = params.get(name)
    if not value:
        return None
    field = serializers.DateField()
    try:
        return field.to_internal_value(value)
    except serializers.ValidationError as error:
        raise ValidationError({name: error.detail}) from error


class DrugLogEntryViewSet(
    RoleRules, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Drug-log entries at the caller's sites, oldest first."""

    serializer_class = EntrySerializer
    queryset = DrugLogEntry.objects.none()
    filterset_class = DrugLogEntryFilter
    read_roles, write_roles = CLINICAL_READERS, HANDLERS + ADJUSTERS
    action_roles = {"account": HANDLERS}

    def get_queryset(self):
        return entries_for(self.request.user)

    def _created(self, entries) -> Response:
        body = EntrySerializer(entries, many=True, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=EntryInputSerializer, responses={201: EntrySerializer(many=True)}, filters=False
    )
    def create(self, request, *args, **kwargs):
        """Draw from a lot for an order, or adjust a lot (with the reason)."""
        fields = validated(EntryInputSerializer, request)
        lot = lot_for(request.user, fields["lot"])
        when = fields.get("occurred_at")
        if fields["kind"] == EntryKind.DRAWN:
            if "order" not in fields:
                raise ValidationError({"order": ["Name the dose order the drug is drawn for."]})
            order = order_for(request.user, fields["order"])
            entry = drug_draw(
                order=order, lot=lot, ml=fields["ml"], drawn_by=request.user, occurred_at=when
            )
        else:
            entry = drug_log_adjust(
                lot=lot,
                ml=fields["ml"],
                reason=fields.get("reason", ""),
                by=request.user,
                occurred_at=when,
            )
        return self._created([entry])

    @extend_schema(
        request=AccountInputSerializer, responses={201: EntrySerializer(many=True)}, filters=False
    )
    @action(detail=False, methods=["post"])
    def account(self, request):
        """Close an infusion's account: administered + wasted (witnessed) must equal drawn.
        With waste the witness confirms in the same request (``witness_password``, and
        ``witness_otp_token`` when they have an authenticator); wrong ones are a 400 on that
        field, nothing is written, and they count toward the witness's lockout."""
        fields = validated(AccountInputSerializer, request)
        order = order_for(request.user, fields["order"])
        entries = infusion_drug_account(
            order=order, administered_mg=fields["administered_mg"], wasted_mg=fields["wasted_mg"],
            witness=fields.get("witness"), by=request.user, occurred_at=fields.get("occurred_at"),
            witness_password=fields.get("witness_password", ""),
            witness_otp_token=fields.get("witness_otp_token", ""), request=request,
        )  # fmt: skip
        return self._created(entries)
