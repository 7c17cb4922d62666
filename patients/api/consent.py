"""Consent forms, their signatures, and consent to be contacted by SMS or email."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets

from clinic.api import EVERYONE, RoleRules, StaffSerializer, service_errors, validated

from ..models import CommunicationConsent, ConsentDocument, ConsentSignature
from ..services import communication_consent_record, consent_sign
from .common import PatientRecordViewSet


class ConsentDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConsentDocument
        fields = ["id", "title", "version", "body", "effective_from", "is_current"]
        read_only_fields = fields


class ConsentDocumentViewSet(RoleRules, viewsets.ReadOnlyModelViewSet):
    """The consent form versions offered for new signatures. Versions are edited in the admin."""

    queryset = ConsentDocument.objects.filter(is_current=True)
    serializer_class = ConsentDocumentSerializer
    read_roles = EVERYONE


class ConsentDocumentSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = ConsentDocument
        fields = ["id", "title", "version"]
        read_only_fields = fields


class ConsentSignatureSerializer(serializers.ModelSerializer):
    document = ConsentDocumentSummarySerializer(read_only=True)
    witness = StaffSerializer(read_only=True)

    class Meta:
        model = ConsentSignature
        fields = ["id", "document", "typed_name", "signed_at", "witness"]
        read_only_fields = fields


class ConsentSignatureInputSerializer(serializers.ModelSerializer):
    document = serializers.PrimaryKeyRelatedField(queryset=ConsentDocument.objects.all())

    class Meta:
        model = ConsentSignature
        fields = ["document", "typed_name"]


class ConsentSignatureViewSet(PatientRecordViewSet):
    """Consent forms the patient signed, newest first. The caller signs as the witness."""

    queryset = ConsentSignature.objects.select_related("document", "witness")
    serializer_class = ConsentSignatureSerializer
    # Any staff member may witness a signature; reading them is not clinical detail.
    read_roles = write_roles = EVERYONE

    @extend_schema(request=ConsentSignatureInputSerializer)
    def create(self, request, *args, **kwargs):
        fields = validated(ConsentSignatureInputSerializer, request)
        with service_errors():
            signature = consent_sign(patient=self.patient, witness=self.staff, **fields)
        return self.created(signature)


class CommunicationConsentSerializer(serializers.ModelSerializer):
    recorded_by = StaffSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CommunicationConsent
        fields = ["id", "channel", "granted", "method", "recorded_at", "recorded_by"]
        read_only_fields = ["id", "recorded_at", "recorded_by"]


class CommunicationConsentViewSet(PatientRecordViewSet):
    """Consent to SMS and email, newest first: the latest row per channel is in force."""

    queryset = CommunicationConsent.objects.select_related("recorded_by")
    serializer_class = CommunicationConsentSerializer
    # Any staff member records it, as on the patient page (the service's rule).
    read_roles, write_roles = EVERYONE, EVERYONE

    def create(self, request, *args, **kwargs):
        fields = validated(CommunicationConsentSerializer, request)
        with service_errors():
            consent = communication_consent_record(
                patient=self.patient, recorded_by=self.staff, **fields
            )
        return self.created(consent)
