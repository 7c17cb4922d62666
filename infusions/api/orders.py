"""Dose orders and independent double-checks.

The double-check is blind: until a nurse has entered her own check on an order, every
response she gets for that order leaves out its dose (and the numbers derived from it) and
every other nurse's entered value. Physicians and clinic admins, who never check, see them.
"""

from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
)
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
from clinic.roles import CLINICAL_READERS, Role
from patients.models import WeightMeasurement

from ..models import ConfirmedWith, DoseCheck, DoseOrder, ProtocolVersion, SignedAs
from ..models.orders import OrderStatus
from ..selectors.orders import appointment_for, may_see_dose, order_for, orders_for
from ..services import (
    CHECKERS,
    ORDER_WRITERS,
    SIGNERS,
    dose_check_record,
    dose_order_cancel,
    dose_order_create,
    dose_order_override,
    dose_order_sign,
    double_check_state,
    infusion_may_start,
)
from .filters import DoseCheckFilter, DoseOrderFilter

# Numbers from which the dose can be read back; hidden from a nurse who has not checked.
BLINDED = ("dose_mg", "draw_volume_ml", "final_concentration_mg_per_ml")
DOUBLE_CHECK_STATES = [
    ("none", "No check yet"),
    ("partial", "One nurse matched"),
    ("verified", "Two nurses matched"),
    ("mismatch", "A check did not match: the order is blocked"),
]


def blinded_limits(order: DoseOrder) -> list[dict]:
    soft_max = order.protocol_version.soft_max_mg.normalize()
    return [
        {**hit, "message": f"Above the protocol's soft maximum of {soft_max} mg."}
        for hit in order.limits
    ]


class LimitSerializer(serializers.Serializer):
    kind = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class DoseOrderSerializer(serializers.ModelSerializer):
    patient = serializers.IntegerField(source="appointment.patient_id", read_only=True)
    protocol_code = serializers.CharField(source="protocol_version.protocol.code", read_only=True)
    version_number = serializers.IntegerField(source="protocol_version.number", read_only=True)
    status = NamedChoiceField(OrderStatus.choices, enum_name="DoseOrderStatusEnum", read_only=True)
    signed_as = serializers.SerializerMethodField()
    signed_confirmed_with = serializers.SerializerMethodField()
    signed_by = serializers.SerializerMethodField()
    signed_at = serializers.SerializerMethodField()
    soft_limit_override_reason = serializers.SerializerMethodField()
    overridden_by = serializers.SerializerMethodField()
    limits = serializers.SerializerMethodField()
    dose_blinded = serializers.SerializerMethodField()
    double_check = serializers.SerializerMethodField()
    start_blockers = serializers.SerializerMethodField()
    created_by = StaffSerializer(read_only=True)

    class Meta:
        model = DoseOrder
        fields = [
            "id", "appointment", "patient", "protocol_version", "protocol_code",
            "version_number", "weight", "weight_kg", "vial_mg_per_ml", "status", "signed_as",
            "signed_confirmed_with", "signed_by", "signed_at", "dose_blinded", "dose_mg",
            "dose_rate_mg_per_kg_per_h",
            "draw_volume_ml", "bag_volume_ml", "final_concentration_mg_per_ml",
            "pump_rate_ml_per_h", "volume_to_infuse_ml", "infusion_minutes", "limits",
            "has_soft_limit", "soft_limit_override_reason", "overridden_by", "notes",
            "rounding_rules", "double_check", "start_blockers", "replaces", "created_by",
            "created_at",
        ]  # fmt: skip
        read_only_fields = fields
        extra_kwargs = {name: {"allow_null": True} for name in BLINDED}

    def _blind(self, order) -> bool:
        return not may_see_dose(self.context["request"].user, order)

    def to_representation(self, order):
        data = super().to_representation(order)
        if self._blind(order):
            data.update(dict.fromkeys(BLINDED))
            data["notes"] = []  # the dilution note names the drawn-up volume
        return data

    @extend_schema_field(
        NamedChoiceField(SignedAs.choices, enum_name="DoseOrderSignedAsEnum", allow_null=True)
    )
    def get_signed_as(self, order) -> str | None:
        event = order.signature
        return event.signed_as if event else None

    @extend_schema_field(
        NamedChoiceField(
            ConfirmedWith.choices, enum_name="DoseOrderConfirmedWithEnum", allow_null=True
        )
    )
    def get_signed_confirmed_with(self, order) -> str | None:
        """How the signer stepped up at signing: ``code`` or ``password``."""
        event = order.signature
        return (event.confirmed_with or None) if event else None

    def get_signed_by(self, order) -> str | None:
        event = order.signature
        return str(event.by) if event else None

    def get_signed_at(self, order) -> str | None:
        event = order.signature
        return event.at.isoformat() if event else None

    def get_soft_limit_override_reason(self, order) -> str | None:
        override = order.soft_limit_override
        return override.reason if override else None

    def get_overridden_by(self, order) -> str | None:
        override = order.soft_limit_override
        return str(override.overridden_by) if override else None

    @extend_schema_field(LimitSerializer(many=True))
    def get_limits(self, order) -> list:
        return blinded_limits(order) if self._blind(order) else order.limits

    def get_dose_blinded(self, order) -> bool:
        return self._blind(order)

    @extend_schema_field(NamedChoiceField(DOUBLE_CHECK_STATES, enum_name="DoubleCheckStateEnum"))
    def get_double_check(self, order) -> str:
        return double_check_state(order)

    def get_start_blockers(self, order) -> list[str]:
        return infusion_may_start(order)


class DoseOrderInputSerializer(serializers.Serializer):
    appointment = serializers.IntegerField(help_text="The appointment's id.")
    weight = serializers.PrimaryKeyRelatedField(
        queryset=WeightMeasurement.objects.all(),
        help_text="A weight of this patient inside the protocol's window.",
    )
    vial_mg_per_ml = serializers.DecimalField(max_digits=6, decimal_places=2)
    protocol_version = serializers.PrimaryKeyRelatedField(
        queryset=ProtocolVersion.objects.select_related("protocol"),
        required=False,
        allow_null=True,
        help_text="Defaults to the current version of the course's protocol.",
    )
    override_reason = serializers.CharField(
        required=False, allow_blank=True, help_text="Physicians only: the soft-limit reason."
    )


class SignInputSerializer(serializers.Serializer):
    override_reason = serializers.CharField(required=False, allow_blank=True)
    otp_token = serializers.CharField(
        required=False, allow_blank=True, write_only=True, label="Two-factor code",
        help_text="The signer's current authenticator code (or a backup code), entered for "
        "this signature: required from everyone with an authenticator (every physician). "
        "A used code is refused; a wrong one counts toward the account lockout.",
    )  # fmt: skip
    password = serializers.CharField(
        required=False, allow_blank=True, write_only=True, trim_whitespace=False,
        style={"input_type": "password"},
        help_text="Only a signer without an authenticator (a nurse activating a standing "
        "order): their password instead of a code. A wrong one counts toward the lockout.",
    )  # fmt: skip


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField()


class DoseOrderViewSet(ListCreateRetrieve):
    """Dose orders at the caller's sites, newest first. POST calculates and records the dose
    (a hard limit is a 400 for everyone); it replaces the appointment's order in force."""

    serializer_class = DoseOrderSerializer
    queryset = DoseOrder.objects.none()  # for the schema; requests use get_queryset
    filterset_class = DoseOrderFilter
    read_roles, write_roles = CLINICAL_READERS, ORDER_WRITERS
    action_roles = {
        "sign": (Role.PHYSICIAN, Role.NURSE),
        "override": SIGNERS,
        "cancel": ORDER_WRITERS,
    }

    def get_queryset(self):
        return orders_for(self.request.user)

    def _respond(self, order, code=status.HTTP_200_OK) -> Response:
        order = order_for(self.request.user, order.pk)
        return Response(self.get_serializer(order).data, status=code)

    @extend_schema(request=DoseOrderInputSerializer, responses={201: DoseOrderSerializer})
    def create(self, request, *args, **kwargs):
        fields = validated(DoseOrderInputSerializer, request)
        appointment = appointment_for(request.user, fields["appointment"])
        order = dose_order_create(
            appointment=appointment, weight=fields["weight"],
            vial_mg_per_ml=fields["vial_mg_per_ml"], created_by=request.user,
            protocol_version=fields.get("protocol_version"),
            override_reason=fields.get("override_reason", ""),
        )  # fmt: skip
        return self._respond(order, status.HTTP_201_CREATED)

    @extend_schema(request=SignInputSerializer, responses=DoseOrderSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """A physician signs (giving the soft-limit reason here if one is needed); under a
        standing-order protocol a nurse activates it, recorded as a standing order. The
        signer steps up in the same request: ``otp_token`` (a fresh code), or ``password``
        for a signer without an authenticator; a wrong or missing one is a 400 on that
        field and nothing is signed."""
        fields = validated(SignInputSerializer, request)
        order = dose_order_sign(
            order=self.get_object(), signed_by=request.user, request=request,
            otp_token=fields.get("otp_token", ""), password=fields.get("password", ""),
            override_reason=fields.get("override_reason", ""),
        )  # fmt: skip
        return self._respond(order)

    @extend_schema(request=ReasonInputSerializer, responses=DoseOrderSerializer)
    @action(detail=True, methods=["post"])
    def override(self, request, pk=None):
        """A physician's recorded reason to give a dose above the soft maximum."""
        fields = validated(ReasonInputSerializer, request)
        order = self.get_object()
        dose_order_override(order=order, physician=request.user, reason=fields["reason"])
        return self._respond(order)

    @extend_schema(request=ReasonInputSerializer, responses=DoseOrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        fields = validated(ReasonInputSerializer, request)
        order = dose_order_cancel(
            order=self.get_object(), cancelled_by=request.user, reason=fields["reason"]
        )
        return self._respond(order)


# --- Double-checks ----------------------------------------------------------------------


class DoseCheckSerializer(serializers.ModelSerializer):
    nurse = StaffSerializer(read_only=True)

    class Meta:
        model = DoseCheck
        fields = ["id", "order", "nurse", "entered_mg", "matches", "checked_at"]
        read_only_fields = fields
        extra_kwargs = {"entered_mg": {"allow_null": True}, "matches": {"allow_null": True}}

    def to_representation(self, check):
        data = super().to_representation(check)
        if not may_see_dose(self.context["request"].user, check.order):
            data.update(entered_mg=None, matches=None)
        return data


class DoseCheckInputSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    entered_mg = serializers.DecimalField(
        max_digits=8, decimal_places=3, help_text="The dose you calculated yourself (mg)."
    )


class DoseCheckResultSerializer(DoseCheckSerializer):
    """The response to the nurse who has just checked: now she may see the order's dose."""

    order_dose_mg = serializers.DecimalField(
        source="order.dose_mg", max_digits=8, decimal_places=2, read_only=True
    )
    double_check = serializers.SerializerMethodField()
    start_blockers = serializers.SerializerMethodField()

    class Meta(DoseCheckSerializer.Meta):
        fields = [
            *DoseCheckSerializer.Meta.fields,
            "order_dose_mg",
            "double_check",
            "start_blockers",
        ]
        read_only_fields = fields

    @extend_schema_field(NamedChoiceField(DOUBLE_CHECK_STATES, enum_name="DoubleCheckStateEnum"))
    def get_double_check(self, check) -> str:
        return double_check_state(check.order)

    def get_start_blockers(self, check) -> list[str]:
        return infusion_may_start(check.order)


class DoseCheckViewSet(
    RoleRules, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Independent double-checks. A nurse's entered value, and whether it matched, are
    hidden from any other nurse who has not yet entered her own for the same order."""

    ordering_fields = ("checked_at",)

    serializer_class = DoseCheckSerializer
    queryset = DoseCheck.objects.none()
    filterset_class = DoseCheckFilter
    read_roles, write_roles = CLINICAL_READERS, CHECKERS

    def get_queryset(self):
        checks = DoseCheck.objects.filter(order__in=orders_for(self.request.user))
        return checks.select_related("nurse", "order").order_by("order", "checked_at")

    @extend_schema(request=DoseCheckInputSerializer, responses={201: DoseCheckResultSerializer})
    def create(self, request, *args, **kwargs):
        fields = validated(DoseCheckInputSerializer, request)
        order = order_for(request.user, fields["order"])
        check = dose_check_record(order=order, nurse=request.user, entered_mg=fields["entered_mg"])
        body = DoseCheckResultSerializer(check, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)
