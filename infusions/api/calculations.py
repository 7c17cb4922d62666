"""The dose calculation: the full breakdown of ``infusions.dosing.calculate_dose`` for a weight
and a protocol version, saving nothing. Dose orders and double-checks record their own
calculation; this endpoint is for the dose panel and for re-deriving a number by hand."""

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from clinic.access import HasRole
from clinic.api import NamedChoiceField, validated
from clinic.roles import CLINICAL_READERS
from patients.models import WeightMeasurement
from patients.units import kg_to_lb, lb_to_kg
from protocols.dosing import DoseInputError, calculate_dose
from protocols.models import plain

from ..models import Protocol, ProtocolVersion
from ..selectors.protocols import current_protocol_version

DOSE_CALCULATORS = CLINICAL_READERS
# calculate_dose names its inputs in kg; the API names them as the caller typed them.
INPUT_NAMES = {"weight_kg": "weight", "weight_lb": "weight", "vial_mg_per_ml": "vial_mg_per_ml"}


class DoseCalculationInputSerializer(serializers.Serializer):
    weight = serializers.DecimalField(
        max_digits=6, decimal_places=2, help_text='As read off the scale, e.g. "154.0".'
    )
    weight_unit = NamedChoiceField(
        WeightMeasurement.Unit.choices,
        enum_name="WeightUnitEnum",
        help_text="A pound entry is converted to kg once, half up to 0.01 kg.",
    )
    protocol_version = serializers.PrimaryKeyRelatedField(
        queryset=ProtocolVersion.objects.select_related("protocol"),
        required=False,
        allow_null=True,
        help_text="A version id (e.g. an order's). Give this or protocol, not both.",
    )
    protocol = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Protocol.objects.all(),
        required=False,
        allow_null=True,
        help_text="A protocol code: its current version is used. The protocol must be active.",
    )
    vial_mg_per_ml = serializers.DecimalField(
        max_digits=6, decimal_places=2, help_text="The vial concentration drawn from."
    )

    def validate(self, attrs):
        version, protocol = attrs.get("protocol_version"), attrs.get("protocol")
        if (version is None) == (protocol is None):
            raise ValidationError(
                {"protocol": ["Give a protocol code or a protocol_version id (one of them)."]}
            )
        if protocol is not None:
            version = current_protocol_version(protocol)
            if version is None:
                raise ValidationError(
                    {"protocol": [f"{protocol} is withdrawn; choose an active protocol."]}
                )
        attrs["version"] = version
        return attrs


def decimal_out(help_text: str) -> serializers.DecimalField:
    # No decimal_places: each value keeps the places its rounding rule gave it (35.0 mg,
    # 0.70 mL, 150.0 mL/h), rather than one fixed number of places for all of them.
    return serializers.DecimalField(
        max_digits=None, decimal_places=None, read_only=True, help_text=help_text
    )


class LimitHitSerializer(serializers.Serializer):
    kind = NamedChoiceField(
        [("soft", "Soft: may be given with a recorded reason"), ("hard", "Hard: may not")],
        enum_name="DoseLimitKindEnum",
        read_only=True,
    )
    code = serializers.CharField(read_only=True)
    message = serializers.CharField(read_only=True)


class DoseCalculationSerializer(serializers.Serializer):
    protocol = serializers.CharField(read_only=True, help_text="The protocol's code.")
    protocol_version = serializers.IntegerField(read_only=True, help_text="The version's id.")
    version_number = serializers.IntegerField(read_only=True)
    is_current_version = serializers.BooleanField(read_only=True)
    weight_entered = serializers.CharField(read_only=True, help_text='e.g. "154 lb".')
    weight_kg = decimal_out("The weight the dose is calculated from.")
    weight_lb = decimal_out("The same weight in lb, for display only.")
    dose_mg = decimal_out("Weight x mg/kg, rounded down to the protocol's step.")
    dose_rate_mg_per_kg_per_h = decimal_out("")
    vial_mg_per_ml = decimal_out("")
    draw_volume_ml = decimal_out("Volume to draw up from the vial.")
    bag_volume_ml = decimal_out("")
    final_concentration_mg_per_ml = decimal_out("")
    pump_rate_ml_per_h = decimal_out("")
    volume_to_infuse_ml = decimal_out("")
    infusion_minutes = serializers.IntegerField(read_only=True)
    limits = LimitHitSerializer(many=True, read_only=True)
    has_soft_limit = serializers.BooleanField(read_only=True)
    has_hard_limit = serializers.BooleanField(read_only=True)
    rounding_rules = serializers.DictField(child=serializers.CharField(), read_only=True)
    notes = serializers.ListField(child=serializers.CharField(), read_only=True)


class DoseCalculationViewSet(viewsets.ViewSet):
    """Calculate a dose without saving anything."""

    permission_classes = [HasRole.of(*DOSE_CALCULATORS)]

    @extend_schema(
        request=DoseCalculationInputSerializer, responses={200: DoseCalculationSerializer}
    )
    def create(self, request):
        """Dose, drawn-up volume and pump rate for a weight under a protocol version, with
        every soft or hard limit met. A limit is reported, never a reason for a 400: the
        dose panel shows the number beside the limit. Input with no dose to show (a weight
        of 0, a vial the protocol does not stock) is a 400 naming the field."""
        fields = validated(DoseCalculationInputSerializer, request)
        version: ProtocolVersion = fields["version"]
        # The weight keeps the serializer's two places: dosing.round_down_to_step gives a
        # whole product (70 kg x 2 mg/kg) no decimal places, so 140 would show as "140".
        entered, unit = fields["weight"], fields["weight_unit"]
        weight_kg = lb_to_kg(entered) if unit == WeightMeasurement.Unit.LB else entered
        try:
            calculation = calculate_dose(
                weight_kg=weight_kg,
                rules=version.rules(),
                vial_mg_per_ml=plain(fields["vial_mg_per_ml"]),
            )
        except DoseInputError as error:
            # Any other key is one of the version's own numbers: the protocol is at fault.
            errors: dict[str, list[str]] = {}
            for name, message in error.errors.items():
                errors.setdefault(INPUT_NAMES.get(name, "protocol_version"), []).append(message)
            raise ValidationError(errors) from error
        payload = {
            **asdict(calculation),
            "protocol": version.protocol.code,
            "protocol_version": version.pk,
            "version_number": version.number,
            "is_current_version": version.is_current,
            "weight_entered": f"{plain(entered)} {unit}",
            "weight_lb": kg_to_lb(weight_kg),
            "has_soft_limit": calculation.has_soft_limit,
            "has_hard_limit": calculation.has_hard_limit,
        }
        return Response(DoseCalculationSerializer(payload).data)
