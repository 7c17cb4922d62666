"""What the scheduling endpoints share: who may call them, the ids a caller may choose
(scoped by the selectors in ``selectors.scope``), and the shared serializer shapes."""

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from clinic.access import locations_for
from clinic.api import EVERYONE, id_param
from clinic.models import Location, User
from clinic.roles import ADMINS, DESK
from patients.models import Patient
from patients.selectors import patients_for
from protocols.models import Protocol

from ..models import (
    Chair,
)
from ..selectors.scope import (
    active_protocols,
    chairs_for,
    staff_for,
)

__all__ = ["ADMIN", "DESK", "EVERYONE"]

ADMIN = ADMINS


# --- Fields -----------------------------------------------------------------------------------


class CallerScopedId(serializers.PrimaryKeyRelatedField):
    """The id of a row the caller may choose: ``scope(user)`` returns the choosable rows, so
    a row of another site reads as "does not exist"."""

    def __init__(self, scope, model, **kwargs):
        self.scope = scope
        super().__init__(queryset=model._default_manager.none(), **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.scope(request.user) if request is not None else self.queryset

    def prime(self, values) -> None:
        """Look up these ids at once (a list's rows, ``PrimedListSerializer``); the rest,
        and every refusal, go through the field as usual."""
        ids = {pk for pk in map(id_param, values) if pk is not None}
        self._primed = {row.pk: row for row in self.get_queryset().filter(pk__in=ids)}

    def to_internal_value(self, data):
        primed = getattr(self, "_primed", {})
        if (pk := id_param(data)) in primed:
            return primed[pk]
        return super().to_internal_value(data)


class PrimedListSerializer(serializers.ListSerializer):
    """A list whose rows name rows by id (a course's sessions: chair, nurse): each such
    field looks its ids up once for the whole list, not once per row."""

    def to_internal_value(self, data):
        if isinstance(data, list):
            rows = [row for row in data if isinstance(row, dict)]
            for name, field in self.child.fields.items():
                if isinstance(field, CallerScopedId):
                    field.prime([row.get(name) for row in rows])
        return super().to_internal_value(data)


def patient_id(**kwargs) -> CallerScopedId:
    return CallerScopedId(patients_for, Patient, **kwargs)


def location_id(**kwargs) -> CallerScopedId:
    return CallerScopedId(locations_for, Location, **kwargs)


def chair_id(**kwargs) -> CallerScopedId:
    return CallerScopedId(chairs_for, Chair, **kwargs)


def staff_id(**kwargs) -> CallerScopedId:
    return CallerScopedId(staff_for, User, **kwargs)


def protocol_id(**kwargs) -> CallerScopedId:
    return CallerScopedId(active_protocols, Protocol, **kwargs)


class AwareDateTimeField(serializers.DateTimeField):
    """A moment with its UTC offset. A naive time is refused rather than guessed: the
    server's zone is not necessarily the site's."""

    default_error_messages = {
        "naive": "Give the time with its UTC offset, e.g. 2030-06-03T09:00:00-07:00.",
    }

    def to_internal_value(self, value):
        if isinstance(value, str):
            parsed = parse_datetime(value.strip())
            if parsed is not None and timezone.is_naive(parsed):
                self.fail("naive")
        return super().to_internal_value(value)


# --- Shared shapes ----------------------------------------------------------------------------


class PatientRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Patient
        fields = ["id", "mrn", "display_name"]
        read_only_fields = fields


class ChairRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Chair
        fields = ["id", "name"]
        read_only_fields = fields


class CancelRestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text="Why the rest is cancelled.")


class SchedulingErrorSerializer(serializers.Serializer):
    """The one error shape of the API (see clinic.api.exception_handler)."""

    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Field name -> list of messages. A field of a list (a course's sessions) "
        "holds one such object per item: {} for an item without errors.",
    )
