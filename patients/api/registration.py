"""Patients, their escorts, and the consultation-request queue: the front desk's endpoints."""

from dataclasses import asdict

from drf_spectacular.utils import extend_schema, extend_schema_field
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clinic.access import locations_for
from clinic.api import (
    EVERYONE,
    RoleRules,
    service_errors,
    validated,
)
from clinic.models import Location
from clinic.roles import DESK

from ..models import EscortContact, Patient
from ..selectors import (
    ClearanceState,
    clearance_state,
    patient_flags,
    patient_search,
    patients_for,
)
from ..services import (
    escort_add,
    escort_deactivate,
    patient_deactivate,
    patient_register,
    patient_update,
)
from ..services.registration import PATIENT_FIELDS
from .common import PatientRecordViewSet

# The fields the front desk sets, in the model's order so the schema reads like the form.
EDITABLE_FIELDS = [field.name for field in Patient._meta.fields if field.name in PATIENT_FIELDS]
CLEARANCE_STATES = [value for name, value in vars(ClearanceState).items() if name.isupper()]


class PatientInputSerializer(serializers.ModelSerializer):
    """What the front desk types; a PATCH sends only the fields that change."""

    phone = PhoneNumberField(required=False, allow_blank=True)
    home_location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.none())

    class Meta:
        model = Patient
        fields = EDITABLE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            # Only a site the caller works at can be a patient's home site.
            self.fields["home_location"].queryset = locations_for(request.user)


class PatientRegistrationSerializer(PatientInputSerializer):
    allow_duplicate = serializers.BooleanField(
        default=False,
        write_only=True,
        help_text="Confirm that a likely duplicate (same name and birth date, or same phone) "
        "is a different person.",
    )

    class Meta(PatientInputSerializer.Meta):
        fields = [*EDITABLE_FIELDS, "allow_duplicate"]


class PatientSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Patient
        fields = [
            "id", "mrn", "display_name", "legal_first_name", "legal_last_name",
            "preferred_name", "date_of_birth", "sex", "phone", "home_location", "is_active",
        ]  # fmt: skip


class PatientFlagsSerializer(serializers.Serializer):
    needs_clearance = serializers.BooleanField()
    not_cleared = serializers.BooleanField()
    not_screened = serializers.BooleanField()
    phq9_item9_open = serializers.BooleanField()
    no_escort = serializers.BooleanField()
    no_consent = serializers.BooleanField()
    weight_out_of_date = serializers.BooleanField()
    labels = serializers.ListField(child=serializers.CharField())


class PatientSerializer(serializers.ModelSerializer):
    """One patient with the flags shown on the patient page."""

    flags = serializers.SerializerMethodField()
    clearance_state = serializers.SerializerMethodField()

    class Meta:
        model = Patient
        read_only_fields = [
            "id", "mrn", "display_name", "is_active", "deactivated_at", "deactivation_reason",
            "created_at",
        ]  # fmt: skip
        fields = [*read_only_fields, *EDITABLE_FIELDS, "flags", "clearance_state"]

    @extend_schema_field(PatientFlagsSerializer)
    def get_flags(self, patient) -> dict:
        return asdict(patient_flags(patient))

    @extend_schema_field(serializers.ChoiceField(choices=CLEARANCE_STATES))
    def get_clearance_state(self, patient) -> str:
        return clearance_state(patient)


class PatientListQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, help_text="MRN, date of birth, phone, or the start of name words."
    )
    location = serializers.IntegerField(required=False, help_text="Home site id.")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class PatientViewSet(RoleRules, viewsets.ReadOnlyModelViewSet):
    """Patients of the caller's sites. Never deleted: deactivated with a reason."""

    ordering_fields = ("created_at", "legal_last_name", "date_of_birth")

    queryset = Patient.objects.none()  # for the schema; requests use get_queryset
    read_roles, write_roles = EVERYONE, DESK
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller
            return Patient.objects.none()
        return patients_for(self.request.user)

    def get_serializer_class(self):
        return PatientSummarySerializer if self.action == "list" else PatientSerializer

    def answer(self, patient, status_code=status.HTTP_200_OK) -> Response:
        return Response(PatientSerializer(patient).data, status=status_code)

    @extend_schema(parameters=[PatientListQuerySerializer])
    def list(self, request, *args, **kwargs):
        query = PatientListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        text, location = query.validated_data.get("q"), query.validated_data.get("location")
        if text:
            patients = patient_search(request.user, text)
            if location is not None:
                patients = [p for p in patients if p.home_location_id == location]
        else:  # a search keeps its ranking; a plain list sorts by ?ordering=
            patients = self.filter_queryset(self.get_queryset())
            if location is not None:
                patients = patients.filter(home_location_id=location)
        page = self.paginate_queryset(patients)
        return self.get_paginated_response(PatientSummarySerializer(page, many=True).data)

    @extend_schema(request=PatientRegistrationSerializer, responses={201: PatientSerializer})
    def create(self, request, *args, **kwargs):
        fields = validated(PatientRegistrationSerializer, request)
        with service_errors():
            patient = patient_register(registered_by=request.user, **fields)
        return self.answer(patient, status.HTTP_201_CREATED)

    @extend_schema(request=PatientRegistrationSerializer, responses=PatientSerializer)
    def partial_update(self, request, *args, **kwargs):
        patient = self.get_object()
        fields = validated(PatientRegistrationSerializer, request, partial=True)
        with service_errors():
            patient = patient_update(patient=patient, changed_by=request.user, **fields)
        return self.answer(patient)

    @extend_schema(request=ReasonSerializer, responses=PatientSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        patient = self.get_object()
        reason = validated(ReasonSerializer, request)["reason"]
        with service_errors():
            patient = patient_deactivate(
                patient=patient, deactivated_by=request.user, reason=reason
            )
        return self.answer(patient)


class EscortSerializer(serializers.ModelSerializer):
    phone = PhoneNumberField()

    class Meta:
        model = EscortContact
        fields = ["id", "name", "relationship", "phone", "email", "is_primary", "is_active"]
        read_only_fields = ["id", "is_active"]


class EscortViewSet(PatientRecordViewSet):
    """Responsible adults who collect the patient. The first one added is the primary."""

    ordering_fields = ("created_at",)

    queryset = EscortContact.objects.all()
    serializer_class = EscortSerializer
    # Any staff member adds or removes an escort, as on the patient page (the service's rule).
    read_roles, write_roles = EVERYONE, EVERYONE

    def create(self, request, *args, **kwargs):
        fields = validated(EscortSerializer, request)
        with service_errors():
            escort = escort_add(patient=self.patient, added_by=self.staff, **fields)
        return self.created(escort)

    @extend_schema(request=None, responses=EscortSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, *args, **kwargs):
        with service_errors():
            escort = escort_deactivate(escort=self.get_object(), deactivated_by=self.staff)
        return Response(EscortSerializer(escort).data)
