"""Consent forms, their signatures, and consent to be contacted by SMS or email."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.access import HasRole
from clinic.api import EVERYONE, RoleRules, StaffSerializer, service_errors, validated

from ..models import CommunicationConsent, ConsentDocument, ConsentSignature
from ..selectors import communication_in_force, patients_for
from ..services import communication_consent_record, consent_sign
from .common import PatientRecordViewSet


class ConsentDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConsentDocument
        fields = ["id", "title", "version", "body", "effective_from", "is_current"]
        read_only_fields = fields


class ConsentDocumentViewSet(RoleRules, viewsets.ReadOnlyModelViewSet):
    """The consent form versions offered for new signatures. Versions are edited in the admin."""

    ordering_fields = ("effective_from",)

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

    ordering_fields = ("signed_at",)

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

    ordering_fields = ("recorded_at",)

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


CONSENT_STATES = [
    ("granted", "Granted: messages are sent on this channel"),
    ("refused", "Refused (or STOP replied): nothing is sent on this channel"),
    ("not_recorded", "Never recorded: nothing is sent on this channel"),
]


class ChannelPreferenceSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=CommunicationConsent.Channel.choices)
    consent = serializers.ChoiceField(choices=CONSENT_STATES)
    address = serializers.CharField(help_text="The phone or email on file ('' when none).")
    recorded_at = serializers.DateTimeField(allow_null=True)
    method = serializers.CharField(
        allow_null=True,
        help_text="How the consent in force was given, as on the communication-consents "
        "records (written, verbal, online, sms_reply: the patient texted STOP).",
    )
    recorded_by = StaffSerializer(allow_null=True)


class CommunicationPreferencesSerializer(serializers.Serializer):
    patient = serializers.IntegerField()
    preferred_language = serializers.CharField()
    channels = ChannelPreferenceSerializer(many=True)


class CommunicationPreferencesView(APIView):
    """How the patient may be contacted, as the patient page's Messages section shows it:
    per channel, the consent in force (the latest recorded; nothing is sent without one)
    and the address on file, and the preferred language. Change a channel's consent with
    ``POST .../communication-consents/``."""

    permission_classes = [HasRole.of(*EVERYONE)]
    serializer_class = CommunicationPreferencesSerializer

    def get(self, request, patient_pk):
        patient = get_object_or_404(patients_for(request.user), pk=patient_pk)
        in_force = communication_in_force(patient)
        addresses = {"sms": str(patient.phone or ""), "email": patient.email or ""}
        channels = []
        for channel, _label in CommunicationConsent.Channel.choices:
            consent = in_force.get(channel)
            state = "not_recorded" if consent is None else ("refused", "granted")[consent.granted]
            channels.append({
                "channel": channel, "consent": state, "address": addresses[channel],
                "recorded_at": consent.recorded_at if consent else None,
                "method": consent.method if consent else None,
                "recorded_by": consent.recorded_by if consent else None,
            })  # fmt: skip
        body = {"patient": patient.pk, "preferred_language": patient.preferred_language,
                "channels": channels}  # fmt: skip
        return Response(CommunicationPreferencesSerializer(body).data)
