"""Courses: propose one (saves nothing), book one (all sessions or none), cancel the rest."""

from django.db import transaction
from django.db.models import Prefetch
from django_filters import ChoiceFilter
from django_filters.rest_framework import FilterSet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clinic.api import NamedChoiceField, RoleRules, StaffSerializer, service_errors, validated
from clinic.filters import IdFilter, OrderBy
from clinic.roles import DESK

from ..models import Appointment, Course, CourseStatus
from ..selectors.scope import courses_for
from ..services import SessionRequest, Wishes, course_book, course_cancel_remaining, course_propose
from .common import (
    EVERYONE,
    AwareDateTimeField,
    CancelRestSerializer,
    ChairRefSerializer,
    PatientRefSerializer,
    PrimedListSerializer,
    SchedulingErrorSerializer,
    chair_id,
    location_id,
    patient_id,
    protocol_id,
    staff_id,
)

# --- Reading ----------------------------------------------------------------------------------


class CourseSessionSerializer(serializers.ModelSerializer):
    """One infusion of a course, as the course page lists them."""

    chair = ChairRefSerializer(read_only=True)
    nurse = StaffSerializer(read_only=True)

    class Meta:
        model = Appointment
        fields = [
            "id", "sequence", "starts_at", "ends_at", "infusion_starts_at", "infusion_ends_at",
            "chair", "nurse", "status", "escort_confirmed",
        ]  # fmt: skip
        read_only_fields = fields


def course_status_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(CourseStatus.choices, enum_name="CourseStatusEnum", **kwargs)


class CourseSerializer(serializers.ModelSerializer):
    status = course_status_field(read_only=True)
    patient = PatientRefSerializer(read_only=True)
    protocol_name = serializers.CharField(source="protocol.name", read_only=True)
    completed_infusions = serializers.IntegerField(read_only=True)
    progress = serializers.SerializerMethodField(help_text='Completed of planned: "5 of 10".')
    booked_by = StaffSerializer(read_only=True)

    class Meta:
        model = Course
        fields = [
            "id", "patient", "protocol", "protocol_name", "location", "planned_infusions",
            "status", "completed_infusions", "progress", "booked_at", "booked_by", "notes",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_progress(self, course) -> str:
        return f"{course.completed_infusions} of {course.planned_infusions}"


class CourseDetailSerializer(CourseSerializer):
    appointments = CourseSessionSerializer(many=True, read_only=True)

    class Meta(CourseSerializer.Meta):
        fields = [*CourseSerializer.Meta.fields, "appointments"]
        read_only_fields = fields


class CourseFilter(FilterSet):
    patient = IdFilter()
    status = ChoiceFilter(choices=CourseStatus.choices)
    ordering = OrderBy("booked_at")


# --- Booking and proposing --------------------------------------------------------------------


class SessionInputSerializer(serializers.Serializer):
    starts_at = AwareDateTimeField(help_text="Arrival, with its UTC offset.")
    chair = chair_id()
    nurse = staff_id()

    class Meta:
        list_serializer_class = PrimedListSerializer


class CourseBookingSerializer(serializers.Serializer):
    patient = patient_id()
    protocol = protocol_id()
    location = location_id()
    planned_infusions = serializers.IntegerField(min_value=1, max_value=100)
    sessions = SessionInputSerializer(many=True, allow_empty=False)


class ProposalRequestSerializer(serializers.Serializer):
    patient = patient_id()
    protocol = protocol_id()
    location = location_id()
    start_date = serializers.DateField()
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        allow_empty=False,
        help_text="Preferred weekdays, 0 = Monday.",
    )
    preferred_time = serializers.TimeField(
        input_formats=["%H:%M"], help_text="HH:MM, the site's time."
    )
    sessions_per_week = serializers.IntegerField(min_value=1, max_value=7)
    planned_infusions = serializers.IntegerField(min_value=1, max_value=100)


class ProposedSessionSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    chair = serializers.IntegerField(source="chair.pk")
    chair_name = serializers.CharField(source="chair.name")
    nurse = serializers.IntegerField(source="nurse.pk")
    nurse_name = serializers.CharField(source="nurse")
    note = serializers.CharField(help_text="Why this differs from the wish; empty when it doesn't.")


class ProposalSerializer(serializers.Serializer):
    sessions = ProposedSessionSerializer(many=True)
    problems = serializers.ListField(
        child=serializers.CharField(), help_text="Wishes that could not be met, and why."
    )
    blockers = serializers.ListField(
        child=serializers.CharField(), help_text="Why the course cannot be booked at all."
    )


class CancelledRestSerializer(serializers.Serializer):
    cancelled = serializers.IntegerField(help_text="How many sessions were cancelled.")
    course = CourseDetailSerializer()


def with_sessions(courses):
    sessions = Appointment.objects.select_related("chair", "nurse").order_by("sequence")
    return courses.prefetch_related(Prefetch("appointments", queryset=sessions))


REFUSED = {400: SchedulingErrorSerializer, 403: SchedulingErrorSerializer}


class CourseViewSet(RoleRules, viewsets.ReadOnlyModelViewSet):
    """Courses at the caller's sites, newest first. Everyone reads; the front desk and clinic
    admins propose, book and cancel."""

    queryset = Course.objects.none()  # for the schema; requests use get_queryset
    filterset_class = CourseFilter
    read_roles, write_roles = EVERYONE, DESK

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Course.objects.none()
        courses = courses_for(self.request.user).order_by("-booked_at", "-pk")
        return courses if self.action == "list" else with_sessions(courses)

    def get_serializer_class(self):
        return CourseSerializer if self.action == "list" else CourseDetailSerializer

    def detail_of(self, course: Course) -> dict:
        """The course as the detail page shows it, re-read with its progress."""
        course = with_sessions(courses_for(self.request.user)).get(pk=course.pk)
        return CourseDetailSerializer(course).data

    @extend_schema(
        request=CourseBookingSerializer,
        responses={201: CourseDetailSerializer, **REFUSED, 409: SchedulingErrorSerializer},
    )
    def create(self, request, *args, **kwargs):
        """Book a whole course: every session, or none. 409 names what is taken."""
        fields = validated(CourseBookingSerializer, request)
        sessions = [SessionRequest(**session) for session in fields.pop("sessions")]
        # The answer is read in the booking's transaction: if the database goes away before
        # the client has it, the booking is not there either (fault drill, Postgres restart).
        with service_errors(), transaction.atomic():
            course = course_book(booked_by=request.user, sessions=sessions, **fields)
            answer = self.detail_of(course)
        return Response(answer, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ProposalRequestSerializer, responses={200: ProposalSerializer, **REFUSED}
    )
    @action(detail=False, methods=["post"])
    def propose(self, request, *args, **kwargs):
        """A whole course that fits the wishes, with the nearest alternatives where they can't
        be met, and why. Saves nothing: adjust the sessions, then POST them to book."""
        fields = dict(validated(ProposalRequestSerializer, request))
        wishes = Wishes(
            start_date=fields.pop("start_date"),
            weekdays=tuple(sorted(set(fields.pop("weekdays")))),
            preferred_time=fields.pop("preferred_time"),
            sessions_per_week=fields.pop("sessions_per_week"),
            planned_infusions=fields.pop("planned_infusions"),
        )
        with service_errors():
            proposal = course_propose(wishes=wishes, **fields)
        return Response(ProposalSerializer(proposal).data)

    @extend_schema(
        request=CancelRestSerializer, responses={200: CancelledRestSerializer, **REFUSED}
    )
    @action(detail=True, methods=["post"], url_path="cancel-remaining")
    def cancel_remaining(self, request, *args, **kwargs):
        """Cancel every session that has not happened yet; the course is then cancelled, or
        abandoned if some infusions were given."""
        course = self.get_object()
        reason = validated(CancelRestSerializer, request)["reason"]
        with service_errors(), transaction.atomic():
            cancelled = course_cancel_remaining(
                course=course, changed_by=request.user, reason=reason
            )
            answer = {"cancelled": cancelled, "course": self.detail_of(course)}
        return Response(answer)
