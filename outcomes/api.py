"""Measure schedules and a course's due measures in ``/api/v1/``.

``measure-schedules/``: every version of every protocol's schedule (``?protocol=<id>``: one
protocol's), read by all staff; POST revises a protocol's schedule (clinic admins), adding
the next version with exactly the items given. ``protocols/<id>/measure-schedule/``: the
items a protocol's courses ask for now, the built-in default when it has no version.
``courses/<id>/due-measures/``: what a course at one of the caller's sites asks of its patient.
"""

from dataclasses import asdict

from django.shortcuts import get_object_or_404
from django_filters.rest_framework import FilterSet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.response import Response

from clinic.access import HasRole
from clinic.api import EVERYONE, RoleRules, StaffSerializer, service_errors, validated
from clinic.filters import IdFilter
from protocols.models import Protocol

from .models import MeasureSchedule, ScheduledMeasure
from .schedule import MAX_FOLLOW_UP_DAYS, MAX_INFUSION, MEASURE_CHOICES, Timing
from .selectors import (
    DUE_MEASURE_READERS,
    course_for,
    current_schedule,
    due_measures,
    schedule_versions,
)
from .services import SCHEDULE_EDITORS, measure_schedule_revise


class ScheduleItemSerializer(serializers.Serializer):
    measure = serializers.ChoiceField(choices=MEASURE_CHOICES)
    timing = serializers.ChoiceField(choices=Timing.choices)
    param = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=MAX_FOLLOW_UP_DAYS,
        help_text="The infusion number (after_infusion, 1-12) or the days (follow_up_days, "
        "1-365); null for the other timings.",
    )


class ScheduledMeasureSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()

    class Meta:
        model = ScheduledMeasure
        fields = ["measure", "timing", "param", "label"]
        read_only_fields = fields

    def get_label(self, row) -> str:
        return row.as_item().label()


class MeasureScheduleSerializer(serializers.ModelSerializer):
    created_by = StaffSerializer(read_only=True)
    items = ScheduledMeasureSerializer(many=True, read_only=True)

    class Meta:
        model = MeasureSchedule
        fields = [
            "id", "protocol", "number", "note", "review_after_infusion", "items", "created_at",
            "created_by",
        ]  # fmt: skip
        read_only_fields = fields


class ScheduleRevisionSerializer(serializers.Serializer):
    protocol = serializers.PrimaryKeyRelatedField(queryset=Protocol.objects.all())
    note = serializers.CharField(help_text="What changed and why.")
    items = ScheduleItemSerializer(
        many=True, allow_empty=False, help_text="The whole new schedule."
    )
    review_after_infusion = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_INFUSION,
        help_text="The infusion after which a physician reviews the course (null: as now).",
    )  # fmt: skip


class CurrentScheduleItemSerializer(ScheduleItemSerializer):
    label = serializers.CharField(read_only=True)


class CurrentScheduleSerializer(serializers.Serializer):
    protocol = serializers.IntegerField()
    version = serializers.IntegerField(allow_null=True, help_text="null: the built-in default")
    is_default = serializers.BooleanField()
    review_after_infusion = serializers.IntegerField()
    items = CurrentScheduleItemSerializer(many=True)


class DueMeasureSerializer(serializers.Serializer):
    measure = serializers.ChoiceField(choices=MEASURE_CHOICES)
    timing = serializers.ChoiceField(choices=Timing.choices)
    param = serializers.IntegerField(allow_null=True)
    label = serializers.CharField(help_text='In words, e.g. "FIQR after infusion 4".')
    appointment = serializers.IntegerField(
        source="appointment.pk", allow_null=True, default=None,
        help_text="The visit it belongs to; null for a follow-up.",
    )  # fmt: skip
    infusion = serializers.IntegerField(allow_null=True)
    opens_at = serializers.DateTimeField(help_text="An answer from this time on counts.")
    due_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField(help_text="An answer before this time counts.")
    answered = serializers.BooleanField()


class MeasureScheduleFilter(FilterSet):
    protocol = IdFilter(help_text="Only this protocol's versions.")


class MeasureScheduleViewSet(
    RoleRules, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Every version of every protocol's measure schedule, newest first. Versions never
    change; POST revises a protocol's schedule: the next version, with exactly the items
    given (clinic admins)."""

    serializer_class = MeasureScheduleSerializer
    queryset = MeasureSchedule.objects.none()  # for the schema; requests use get_queryset
    filterset_class = MeasureScheduleFilter
    read_roles, write_roles = EVERYONE, SCHEDULE_EDITORS

    def get_queryset(self):
        return schedule_versions()

    @extend_schema(request=ScheduleRevisionSerializer, responses={201: MeasureScheduleSerializer})
    def create(self, request, *args, **kwargs):
        fields = validated(ScheduleRevisionSerializer, request)
        with service_errors():
            schedule = measure_schedule_revise(
                protocol=fields["protocol"], items=fields["items"], note=fields["note"],
                by=request.user, review_after_infusion=fields["review_after_infusion"],
            )  # fmt: skip
        body = MeasureScheduleSerializer(schedule_versions().get(pk=schedule.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)


class ProtocolMeasureScheduleView(generics.GenericAPIView):
    """The items a protocol's courses ask for now: its latest version's, or the built-in
    default (``version`` null) when it has none."""

    permission_classes = [HasRole.of(*EVERYONE)]
    serializer_class = CurrentScheduleSerializer
    filter_backends: list = []
    pagination_class = None

    def get(self, request, pk: int):
        protocol = get_object_or_404(Protocol, pk=pk)
        current = current_schedule(protocol)
        payload = {
            "protocol": protocol.pk,
            "version": current.version.number if current.version else None,
            "is_default": current.is_default,
            "review_after_infusion": current.review_after,
            "items": [{**asdict(item), "label": item.label()} for item in current.items],
        }
        return Response(CurrentScheduleSerializer(payload).data)


class CourseDueMeasuresView(generics.GenericAPIView):
    """The measures a course asks of its patient, on its current sessions in start order (a
    reschedule moves them, a cancelled session does not count), each with its window and
    whether a valid answer was given in it."""

    permission_classes = [HasRole.of(*DUE_MEASURE_READERS)]
    serializer_class = DueMeasureSerializer
    filter_backends: list = []
    pagination_class = None

    @extend_schema(responses=DueMeasureSerializer(many=True))
    def get(self, request, pk: int):
        course = course_for(request.user, pk)
        return Response(DueMeasureSerializer(due_measures(course), many=True).data)
