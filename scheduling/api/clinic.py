"""The clinic's capacity: chairs, nurse shifts, opening hours and closed days.

Chairs and hours are edited in the admin and on the site page; shifts and closed days are
added and removed here by clinic admins, through the same services as the screens.
"""

import datetime

from django.db.models import Q
from django_filters.rest_framework import FilterSet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from clinic.access import locations_for
from clinic.api import RoleRules, service_errors, validated
from clinic.filters import IdFilter, IsoDateFilter
from clinic.roles import Role

from ..models import Chair, ClosedDay, NurseShift, OpeningHours, shift_overlap
from ..selectors.scope import chairs_for, local_day, shifts_for
from ..services import rota, site_setup
from .common import (
    ADMIN,
    EVERYONE,
    AwareDateTimeField,
    SchedulingErrorSerializer,
    location_id,
    staff_id,
)


class AtLocationFilter(FilterSet):
    location = IdFilter(help_text="Only this site.")


# --- Chairs -----------------------------------------------------------------------------------


class ChairSerializer(serializers.ModelSerializer):
    class Meta:
        model = Chair
        fields = ["id", "location", "name", "is_active"]
        read_only_fields = fields


class ChairViewSet(RoleRules, viewsets.ReadOnlyModelViewSet):
    """Infusion chairs at the caller's sites."""

    ordering_fields = ("name",)

    queryset = Chair.objects.none()  # for the schema; requests use get_queryset
    serializer_class = ChairSerializer
    filterset_class = AtLocationFilter
    read_roles = EVERYONE

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Chair.objects.none()
        return chairs_for(self.request.user).order_by("location__name", "name")


# --- Nurse shifts -----------------------------------------------------------------------------


class ShiftFilter(AtLocationFilter):
    date = IsoDateFilter(
        method="overlapping", help_text="Shifts overlapping this day (YYYY-MM-DD, the site's time)."
    )

    def overlapping(self, shifts, name, day):
        return overlapping_day(shifts, day)


class NurseShiftSerializer(serializers.ModelSerializer):
    nurse = staff_id()
    nurse_name = serializers.CharField(source="nurse", read_only=True)
    location = location_id()
    starts_at = AwareDateTimeField()
    ends_at = AwareDateTimeField()

    class Meta:
        model = NurseShift
        fields = ["id", "nurse", "nurse_name", "location", "starts_at", "ends_at"]
        read_only_fields = ["id", "nurse_name"]

    def validate_nurse(self, nurse):
        if not nurse.has_role(Role.NURSE):
            raise serializers.ValidationError(f"{nurse} is not a nurse.")
        return nurse


def overlapping_day(shifts, day: datetime.date):
    """Shifts overlapping ``day`` in their own site's wall-clock time."""
    window = Q(pk__in=[])
    for zone in set(shifts.values_list("location__time_zone", flat=True)):
        start, end = local_day(zone, day)
        window |= Q(location__time_zone=zone) & shift_overlap(start, end)
    return shifts.filter(window)


class NurseShiftViewSet(
    RoleRules,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Who works where, when. Everyone reads; clinic admins add and remove shifts.

    There is no shift service yet: a shift is checked with ``full_clean`` and saved here.
    """

    ordering_fields = ("starts_at",)

    queryset = NurseShift.objects.none()  # for the schema; requests use get_queryset
    serializer_class = NurseShiftSerializer
    filterset_class = ShiftFilter
    read_roles, write_roles = EVERYONE, ADMIN

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return NurseShift.objects.none()
        return shifts_for(self.request.user).order_by("starts_at", "pk")

    @extend_schema(request=NurseShiftSerializer, responses={201: NurseShiftSerializer})
    def create(self, request, *args, **kwargs):
        """Add a shift: the nurse works at the site, the site is open that day, and the nurse
        has no overlapping shift anywhere (the rota's rules)."""
        data = validated(NurseShiftSerializer, request)
        with service_errors():
            shift = rota.shift_add(actor=request.user, **data)
        return Response(NurseShiftSerializer(shift).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None, 409: SchedulingErrorSerializer})
    def destroy(self, request, *args, **kwargs):
        """Remove a shift no booked infusion relies on."""
        rota.shift_clear(actor=request.user, shift=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Opening hours and closed days ------------------------------------------------------------


@extend_schema_field(
    {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "08:30"}
)
class WallClockTimeField(serializers.TimeField):
    """A time on the site's wall clock, ``HH:MM``: the schema's ``format: time`` would ask
    for seconds and a UTC offset, which opening hours do not have."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class OpeningHoursSerializer(serializers.ModelSerializer):
    opens_at = WallClockTimeField()
    closes_at = WallClockTimeField()

    class Meta:
        model = OpeningHours
        fields = ["id", "location", "weekday", "opens_at", "closes_at"]
        read_only_fields = fields


class OpeningHoursViewSet(RoleRules, mixins.ListModelMixin, viewsets.GenericViewSet):
    """When each of the caller's sites is open, in the site's time (0 = Monday)."""

    ordering_fields = ("weekday",)

    queryset = OpeningHours.objects.none()  # for the schema; requests use get_queryset
    serializer_class = OpeningHoursSerializer
    filterset_class = AtLocationFilter
    read_roles = EVERYONE

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return OpeningHours.objects.none()
        hours = OpeningHours.objects.filter(location__in=locations_for(self.request.user))
        return hours.order_by("location__name", "weekday")


class ClosedDaySerializer(serializers.ModelSerializer):
    added_by = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = ClosedDay
        fields = ["id", "location", "date", "reason", "added_by"]
        read_only_fields = ["id", "added_by"]
        extra_kwargs = {"location": {"help_text": "Null: every site is closed.", "required": True}}


class ClosedDayCreateSerializer(serializers.Serializer):
    location = location_id()
    date = serializers.DateField()
    reason = serializers.CharField(max_length=120)


class ClosedDayFilter(FilterSet):
    location = IdFilter(method="at_site", help_text="Only this site's, and every site's.")

    def at_site(self, days, name, location):
        return days.filter(Q(location_id=location) | Q(location=None))


class ClosedDayViewSet(
    RoleRules,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Holidays and closures of the caller's sites, and those of every site. Clinic admins
    close a site for a day and reopen it. US federal holidays are not rows: a site follows
    them unless its scheduling rules say otherwise."""

    ordering_fields = ("date",)

    queryset = ClosedDay.objects.none()  # for the schema; requests use get_queryset
    serializer_class = ClosedDaySerializer
    filterset_class = ClosedDayFilter
    read_roles, write_roles = EVERYONE, ADMIN

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ClosedDay.objects.none()
        mine = locations_for(self.request.user)
        days = ClosedDay.objects.filter(Q(location__in=mine) | Q(location=None))
        return days.select_related("added_by").order_by("date", "pk")

    @extend_schema(
        request=ClosedDayCreateSerializer,
        responses={201: ClosedDaySerializer, 409: SchedulingErrorSerializer},
    )
    def create(self, request, *args, **kwargs):
        """Close a site on a day (refused while infusions are booked there that day)."""
        data = validated(ClosedDayCreateSerializer, request)
        with service_errors():
            closure = site_setup.closed_day_add(actor=request.user, **data)
        return Response(ClosedDaySerializer(closure).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        with service_errors():
            site_setup.closed_day_remove(actor=request.user, closure=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
