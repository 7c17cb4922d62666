"""Protocols and their versions. Everyone on staff reads them (the front desk books courses
under a protocol); physicians and clinic admins revise them, which adds a version."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from clinic.access import HasRole
from clinic.api import (
    EVERYONE,
    ListCreateRetrieve,
    StaffSerializer,
    service_errors,
    validated,
)

from ..models import Protocol, ProtocolVersion
from ..selectors.protocols import protocol_versions, protocols_with_versions
from ..services import PROTOCOL_EDITORS, VERSION_FIELDS, protocol_revise
from .filters import ProtocolVersionFilter


class ProtocolVersionSerializer(serializers.ModelSerializer):
    protocol_code = serializers.CharField(source="protocol.code", read_only=True)
    created_by = StaffSerializer(read_only=True)

    class Meta:
        model = ProtocolVersion
        fields = [
            "id", "protocol", "protocol_code", "number", *VERSION_FIELDS, "change_note",
            "created_at", "created_by",
        ]  # fmt: skip
        read_only_fields = fields


class ProtocolSerializer(serializers.ModelSerializer):
    current_version = ProtocolVersionSerializer(read_only=True, allow_null=True)
    infusion_minutes = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Protocol
        fields = [
            "id", "name", "code", "description", "is_active", "infusion_minutes",
            "current_version", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class ProtocolViewSet(viewsets.ReadOnlyModelViewSet):
    """The clinic's protocols, active ones first, each with its current version."""

    ordering_fields = ("name", "created_at")

    serializer_class = ProtocolSerializer
    queryset = Protocol.objects.none()  # for the schema; requests use get_queryset
    permission_classes = [HasRole.of(*EVERYONE)]

    def get_queryset(self):
        return protocols_with_versions()


class RevisionSerializer(serializers.ModelSerializer):
    """Only the numbers that change; the rest are copied from the current version."""

    class Meta:
        model = ProtocolVersion
        fields = ["protocol", "change_note", *VERSION_FIELDS]
        extra_kwargs = {name: {"required": False} for name in VERSION_FIELDS}


class ProtocolVersionViewSet(ListCreateRetrieve):
    """Every version of every protocol, newest first. Versions never change; POST revises a
    protocol: it adds the next version, copying every number not given."""

    ordering_fields = ("created_at",)

    serializer_class = ProtocolVersionSerializer
    queryset = ProtocolVersion.objects.none()  # for the schema; requests use get_queryset
    filterset_class = ProtocolVersionFilter
    read_roles, write_roles = EVERYONE, PROTOCOL_EDITORS

    def get_queryset(self):
        return protocol_versions()

    @extend_schema(request=RevisionSerializer, responses={201: ProtocolVersionSerializer})
    def create(self, request, *args, **kwargs):
        fields = dict(validated(RevisionSerializer, request))
        protocol = fields.pop("protocol")
        change_note = fields.pop("change_note")
        with service_errors():
            version = protocol_revise(
                protocol=protocol, changed_by=request.user, change_note=change_note, **fields
            )
        body = ProtocolVersionSerializer(version, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)
