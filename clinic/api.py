"""API pieces shared by every app: the error shape and the core endpoints."""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from .access import locations_for
from .errors import ConflictError
from .models import Location


def exception_handler(exc, context):
    """Every API error has one shape: ``{"detail": str, "errors": {field: [messages]}}``."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            errors = {
                ("non_field_errors" if key == NON_FIELD_ERRORS else key): messages
                for key, messages in exc.message_dict.items()
            }
        else:
            errors = {"non_field_errors": exc.messages}
        exc = serializers.ValidationError(errors)
    if isinstance(exc, PermissionDenied):
        from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied

        exc = DRFPermissionDenied(str(exc) or None)
    if isinstance(exc, ConflictError):
        return Response(
            {"detail": "Conflict: " + str(exc), "errors": {k: [v] for k, v in exc.errors.items()}},
            status=409,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and set(data) == {"detail"}:
        response.data = {"detail": str(data["detail"]), "errors": {}}
    else:
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = {"detail": "Invalid input.", "errors": errors}
    return response


class LocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "name", "code", "time_zone", "address", "phone", "is_active"]


class LocationViewSet(viewsets.ReadOnlyModelViewSet):
    """The sites the caller works at."""

    serializer_class = LocationSerializer
    queryset = Location.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return locations_for(self.request.user).order_by("name")


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    location_ids = serializers.ListField(child=serializers.IntegerField())


class MeView(APIView):
    """Who the caller is: roles and the sites they may see."""

    serializer_class = MeSerializer

    def get(self, request):
        user = request.user
        payload = {
            "id": user.pk,
            "username": user.username,
            "full_name": user.get_full_name(),
            "roles": sorted(user.roles),
            "location_ids": list(locations_for(user).values_list("id", flat=True)),
        }
        return Response(MeSerializer(payload).data)
