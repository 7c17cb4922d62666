"""API pieces shared by every app: the error shape, who may call an endpoint (``RoleRules``
and the role tuples), how a service's errors are reported, and the core endpoints."""

from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.shortcuts import render
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from clinic.roles import ALL_STAFF, PHYSICIANS

from .access import HasRole, locations_for
from .errors import ConflictError
from .models import Location

EVERYONE = ALL_STAFF
# Registration and the consultation queue.
# Clinical entries are recorded by nurses and physicians and read by them and clinic admins;
# the front desk sees none of them.
PHYSICIAN = PHYSICIANS


class RoleRules:
    """Viewset mixin: ``read_roles`` for safe methods, ``write_roles`` for the others, and
    ``action_roles`` for actions with their own rule (only a physician clears)."""

    read_roles: tuple[str, ...] = EVERYONE
    write_roles: tuple[str, ...] = ()
    action_roles: Mapping[str, tuple[str, ...]] = {}

    def get_permissions(self):
        roles = self.action_roles.get(self.action)
        if roles is None:
            # A method the endpoint does not offer at all answers 405 to anyone who may read.
            reading = self.request.method in SAFE_METHODS or self.action is None
            roles = self.read_roles if reading else self.write_roles
        return [HasRole.of(*roles)()]


class ListCreateRetrieve(
    RoleRules,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """An endpoint of records that are created and read, never updated or deleted here."""


@contextmanager
def service_errors(
    renamed: Mapping[str, str] | None = None,
    *,
    nest_under: str | None = None,
    top_level: Collection[str] = (),
) -> Iterator[None]:
    """Re-raise a service's ValidationError keyed by the API's field names.

    Services speak in model field names and Django's ``__all__``; the API speaks in its
    serializer's field names and DRF's ``non_field_errors``. With ``nest_under``, keys that
    are not in ``top_level`` belong inside that JSON field (a questionnaire's ``item_4``).
    """
    try:
        yield
    except DjangoValidationError as error:
        raise ValidationError(_api_errors(error, renamed or {}, nest_under, top_level)) from error


def _api_errors(error, renamed, nest_under, top_level) -> dict:
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    if not hasattr(error, "error_dict"):
        return {non_field: error.messages}
    errors: dict = {}
    for key, messages in error.message_dict.items():
        name = non_field if key == NON_FIELD_ERRORS else renamed.get(key, key)
        if nest_under and name != non_field and name not in top_level:
            errors.setdefault(nest_under, {}).setdefault(name, []).extend(messages)
        else:
            errors.setdefault(name, []).extend(messages)
    return errors


# The largest primary key a bigint column holds.
MAX_ID = 2**63 - 1


def id_param(value) -> int | None:
    """A row id given as a query parameter or URL part, or None when it cannot be one.

    ``str.isdigit`` alone lets through what the database cannot compare with an id column:
    non-ASCII digits (``"²"``, ``"٣"``) and numbers beyond a bigint.
    """
    value = str(value or "")
    if value.isascii() and value.isdigit() and len(value) <= 19 and int(value) <= MAX_ID:
        return int(value)
    return None


def validated(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class StaffSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    full_name = serializers.CharField(source="get_full_name", read_only=True)


class NamedChoiceField(serializers.ChoiceField):
    """A choice field whose choice set is one named enum in the OpenAPI schema, however many
    fields use it (seven screening questions share one yes/no/unknown answer)."""

    def __init__(self, choices, *, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(choices, **kwargs)


@extend_schema_field(
    {"oneOf": [{"type": "string", "format": "email"}, {"type": "string", "enum": [""]}]}
)
class OptionalEmailField(serializers.EmailField):
    """An email address, or "" where none is on file (the schema's email format alone
    refuses "")."""


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        enum = {
            "type": "string",
            "enum": list(field.choices),
            "description": "\n".join(
                f"* `{value}` - {label}" for value, label in field.choices.items()
            ),
        }
        component = ResolvedComponent(
            name=field.enum_name, type=ResolvedComponent.SCHEMA, schema=enum, object=field.enum_name
        )
        auto_schema.registry.register_on_missing(component)
        if field.allow_blank:  # "" as well (e.g. no previous status)
            return {"oneOf": [component.ref, {"type": "string", "enum": [""]}]}
        return component.ref


def exception_handler(exc, context):
    """Every API error has one shape: ``{"detail": str, "errors": {field: [messages]}}``."""
    if isinstance(exc, DjangoValidationError):
        # A service's refusal: DRF's own conversion (messages keep their codes), with
        # Django's whole-form key renamed to the API's.
        errors = serializers.as_serializer_error(exc)
        if NON_FIELD_ERRORS in errors:
            errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
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

    ordering_fields = ("name",)

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


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked account (``AXES_LOCKOUT_CALLABLE``): under ``/api/``
    the API's error shape (the token endpoint was answering with an HTML page), elsewhere
    the lockout page."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    if request.path.startswith("/api/"):
        detail = (
            f"Too many failed logins: this account is locked for {minutes} minutes. "
            "Try again later, or ask a clinic admin to unlock it."
        )
        response = JsonResponse({"detail": detail, "errors": {}}, status=status)
        response["Retry-After"] = str(minutes * 60)
        return response
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, {"minutes": minutes}, status=status)
