"""What the scheduling endpoints share: who may call them, which rows a caller may see or
choose, and the small read queries the endpoints need (scoped by ``locations_for``)."""

import datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from clinic.access import locations_for
from clinic.api import EVERYONE
from clinic.models import Location, User
from clinic.roles import ADMINS, DESK
from patients.models import Patient
from patients.selectors import patients_for
from protocols.models import Protocol

from ..models import (
    Appointment,
    AppointmentStatus,
    Chair,
    Course,
    NurseShift,
)

__all__ = ["ADMIN", "DESK", "EVERYONE"]

ADMIN = ADMINS


# --- What a caller may see --------------------------------------------------------------------


def chairs_for(user: User) -> QuerySet[Chair]:
    return Chair.objects.at_locations(locations_for(user)).select_related("location")


def staff_for(user: User) -> QuerySet[User]:
    """Active staff who work at one of the caller's sites."""
    return User.objects.filter(is_active=True, locations__in=locations_for(user)).distinct()


def active_protocols(user: User):
    return Protocol.objects.active()


def shifts_for(user: User) -> QuerySet[NurseShift]:
    return NurseShift.objects.filter(location__in=locations_for(user)).select_related(
        "nurse", "location"
    )


def courses_for(user: User) -> QuerySet[Course]:
    """Courses at the caller's sites, each with its count of completed infusions."""
    completed = Count("appointments", filter=Q(appointments__status=AppointmentStatus.COMPLETED))
    return (
        Course.objects.filter(location__in=locations_for(user))
        .select_related("patient", "protocol", "location", "booked_by")
        .annotate(completed_infusions=completed)
    )


def appointments_for(user: User) -> QuerySet[Appointment]:
    """Appointments at the caller's sites, with what a list shows, in one query."""
    completed = (
        Appointment.objects.filter(course=OuterRef("course"), status=AppointmentStatus.COMPLETED)
        .order_by()
        .values("course")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        Appointment.objects.filter(location__in=locations_for(user))
        .select_related("patient", "chair", "nurse", "course", "location")
        .annotate(course_completed=Coalesce(Subquery(completed, output_field=IntegerField()), 0))
        .order_by("starts_at", "chair__name")
    )


def local_day(zone: str, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of a calendar day on a site's wall clock (23 or 25 h across DST)."""
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=ZoneInfo(zone))
    next_day = day + datetime.timedelta(days=1)
    return start, datetime.datetime.combine(next_day, datetime.time.min, tzinfo=ZoneInfo(zone))


def starting_on(appointments: QuerySet, user: User, day: datetime.date) -> QuerySet:
    """Appointments starting on ``day`` in their own site's wall-clock time."""
    window = Q(pk__in=[])
    for zone in set(locations_for(user).values_list("time_zone", flat=True)):
        start, end = local_day(zone, day)
        window |= Q(location__time_zone=zone, starts_at__gte=start, starts_at__lt=end)
    return appointments.filter(window)


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
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
