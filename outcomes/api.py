"""Measure schedules and a course's due measures in ``/api/v1/``.

``measure-schedules/``: every version of every protocol's schedule (``?protocol=<id>``: one
protocol's), read by all staff; POST revises a protocol's schedule (clinic admins), adding
the next version with exactly the items given. ``protocols/<id>/measure-schedule/``: the
items a protocol's courses ask for now, the built-in default when it has no version.
``courses/<id>/due-measures/``: what a course at one of the caller's sites asks of its patient.
``patient-links/``: the links patients answer their due measures through (``?patient=``,
``?course=``); POST makes one for a course, ``/<id>/resend/`` a fresh one, ``/<id>/revoke/``
closes one. The link's address is in ``url`` (a signed id: no patient data in it).
"""

from dataclasses import asdict

from django.shortcuts import get_object_or_404
from django_filters.rest_framework import FilterSet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clinic.access import HasRole
from clinic.api import EVERYONE, RoleRules, StaffSerializer, service_errors, validated
from clinic.filters import IdFilter
from protocols.models import Protocol
from scheduling.selectors.scope import courses_for

from .models import MeasureSchedule, PatientLink, ScheduledMeasure
from .schedule import MAX_FOLLOW_UP_DAYS, MAX_INFUSION, MEASURE_CHOICES, Timing
from .selectors import (
    DUE_MEASURE_READERS,
    course_for,
    current_schedule,
    due_measures,
    links_for,
    schedule_versions,
)
from .services import (
    LINK_SENDERS,
    SCHEDULE_EDITORS,
    link_create,
    link_resend,
    link_revoke,
    measure_schedule_revise,
)
from .tokens import link_url


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

    ordering_fields = ("created_at",)

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


class PatientLinkSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField(help_text="live, expired, revoked or submitted")
    url = serializers.SerializerMethodField(help_text="The address the patient opens.")
    created_by = StaffSerializer(read_only=True, allow_null=True)

    class Meta:
        model = PatientLink
        fields = [
            "id", "patient", "course", "state", "url", "language", "items", "created_at",
            "created_by", "expires_at", "revoked_at", "revoke_reason", "submitted_at",
            "new_link_requested_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_state(self, link) -> str:
        return link.state()

    def get_url(self, link) -> str:
        return link_url(link)


class PatientLinkCreateSerializer(serializers.Serializer):
    course = serializers.IntegerField(help_text="The course whose open measures the link asks.")

    def validate_course(self, value):
        request = self.context["request"]
        course = courses_for(request.user).filter(pk=value).first()
        if course is None:
            raise serializers.ValidationError("No such course at your sites.")
        return course


class PatientLinkRevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class PatientLinkFilter(FilterSet):
    patient = IdFilter(help_text="Only this patient's links.")
    course = IdFilter(help_text="Only this course's links.")


class PatientLinkViewSet(
    RoleRules,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Links for patients to answer a course's due measures from home, at the caller's
    sites, newest first. POST ``{"course": id}`` makes one for the measures open now (an
    open link of the course is replaced); 400 when nothing is due."""

    ordering_fields = ("created_at", "expires_at")

    serializer_class = PatientLinkSerializer
    queryset = PatientLink.objects.none()
    filterset_class = PatientLinkFilter
    read_roles, write_roles = LINK_SENDERS, LINK_SENDERS

    def get_queryset(self):
        return links_for(self.request.user).order_by("-created_at", "-pk")

    @extend_schema(request=PatientLinkCreateSerializer, responses={201: PatientLinkSerializer})
    def create(self, request, *args, **kwargs):
        fields = validated(PatientLinkCreateSerializer, request)
        with service_errors():
            link = link_create(course=fields["course"], by=request.user)
        return Response(PatientLinkSerializer(link).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: PatientLinkSerializer})
    @action(detail=True, methods=["post"])
    def resend(self, request, *args, **kwargs):
        """A fresh link for the same course; the old one stops working."""
        with service_errors():
            link = link_resend(link=self.get_object(), by=request.user)
        return Response(PatientLinkSerializer(link).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PatientLinkRevokeSerializer, responses={200: PatientLinkSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, *args, **kwargs):
        """Close the link now; 400 when it is already submitted or revoked."""
        fields = validated(PatientLinkRevokeSerializer, request)
        with service_errors():
            link = link_revoke(link=self.get_object(), by=request.user, **fields)
        return Response(PatientLinkSerializer(link).data)
