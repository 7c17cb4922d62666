"""What every patients endpoint shares: who may call it, how a patient's records are found,
and how a service's ValidationError is reported in the API's own field names."""

from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.settings import api_settings

from clinic.access import HasRole
from clinic.models import User
from clinic.roles import Role

from ..models import Patient
from ..selectors import patients_for

EVERYONE = (Role.FRONT_DESK, Role.NURSE, Role.PHYSICIAN, Role.CLINIC_ADMIN)
# Registration and the consultation queue.
DESK = (Role.FRONT_DESK, Role.CLINIC_ADMIN)
# Clinical entries are recorded by nurses and physicians and read by them and clinic admins;
# the front desk sees none of them.
CLINICAL = (Role.NURSE, Role.PHYSICIAN)
CLINICAL_READERS = (Role.NURSE, Role.PHYSICIAN, Role.CLINIC_ADMIN)
PHYSICIAN = (Role.PHYSICIAN,)


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
        return component.ref


class PatientRecordViewSet(
    RoleRules, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Records of one patient, at ``/patients/{patient_pk}/<records>/``.

    The patient is found through ``patients_for``, so a patient of another site is a 404,
    and the permission check runs first, so a role that may not read the records gets 403.
    """

    @cached_property
    def patient(self) -> Patient:
        return get_object_or_404(patients_for(self.request.user), pk=self.kwargs["patient_pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller
            return self.queryset.none()
        return self.queryset.filter(patient=self.patient)

    @property
    def staff(self) -> User:
        return self.request.user

    def created(self, record, serializer_class=None) -> Response:
        serializer_class = serializer_class or self.get_serializer_class()
        body = serializer_class(record, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)
