"""Appointments: the day's list for a board, one appointment's history, status changes and
rescheduling. Booking happens through courses."""

from django_filters import ChoiceFilter
from django_filters.rest_framework import FilterSet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clinic.api import NamedChoiceField, RoleRules, StaffSerializer, service_errors, validated
from clinic.filters import IdFilter, IsoDateFilter, OrderBy
from clinic.roles import DESK

from ..models import Appointment, AppointmentStatus, AppointmentStatusChange
from ..selectors.scope import appointments_for, starting_on
from ..selectors.slots import free_slots
from ..services import (
    appointment_book_make_up,
    appointment_check_in_undo,
    appointment_escort_confirm_by_phone,
    appointment_reschedule,
    appointment_transition,
    site_today,
)
from .common import (
    EVERYONE,
    AwareDateTimeField,
    ChairRefSerializer,
    PatientRefSerializer,
    SchedulingErrorSerializer,
    chair_id,
    staff_id,
)


def status_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(AppointmentStatus.choices, enum_name="AppointmentStatusEnum", **kwargs)


class AppointmentSerializer(serializers.ModelSerializer):
    patient = PatientRefSerializer(read_only=True)
    chair = ChairRefSerializer(read_only=True)
    nurse = StaffSerializer(read_only=True)
    status = status_field(read_only=True)
    course_progress = serializers.SerializerMethodField(
        help_text='Completed of planned infusions of the course: "5 of 10".'
    )

    class Meta:
        model = Appointment
        fields = [
            "id", "course", "sequence", "course_progress", "patient", "location", "chair",
            "nurse", "starts_at", "ends_at", "infusion_starts_at", "infusion_ends_at", "status",
            "escort_name", "escort_phone", "escort_confirmed", "escort_confirmed_by",
            "escort_confirmed_at", "makes_up_for",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_course_progress(self, appointment) -> str | None:
        if appointment.course is None:
            return None
        return f"{appointment.course_completed} of {appointment.course.planned_infusions}"


class StatusChangeSerializer(serializers.ModelSerializer):
    from_status = serializers.CharField(help_text="Empty for the booking itself.")
    to_status = status_field()
    changed_by = StaffSerializer()

    class Meta:
        model = AppointmentStatusChange
        fields = ["from_status", "to_status", "changed_at", "changed_by", "reason"]
        read_only_fields = fields


class AppointmentDetailSerializer(AppointmentSerializer):
    status_changes = StatusChangeSerializer(many=True, read_only=True)

    class Meta(AppointmentSerializer.Meta):
        fields = [*AppointmentSerializer.Meta.fields, "status_changes"]
        read_only_fields = fields


class AppointmentFilter(FilterSet):
    day = IsoDateFilter(
        method="on_day", help_text="YYYY-MM-DD: appointments starting that day, site time."
    )
    location = IdFilter()
    chair = IdFilter()
    status = ChoiceFilter(choices=AppointmentStatus.choices)
    patient = IdFilter()
    course = IdFilter()
    ordering = OrderBy("starts_at", "status")

    def on_day(self, appointments, name, day):
        return starting_on(appointments, self.request.user, day)


class MakeUpSerializer(serializers.Serializer):
    starts_at = AwareDateTimeField(
        required=False, help_text="A time from the offer; the first free slot if left out."
    )
    chair = chair_id(required=False, help_text="The cancelled session's chair if left out.")
    nurse = staff_id(required=False, help_text="The cancelled session's nurse if left out.")


class SlotQuerySerializer(serializers.Serializer):
    date = serializers.DateField(
        required=False,
        help_text="YYYY-MM-DD, the site's day to look at; the appointment's own day if left out.",
    )


class FreeSlotSerializer(serializers.Serializer):
    starts_at = serializers.SerializerMethodField(help_text="Arrival time, in the site's zone.")
    chair = serializers.IntegerField(source="chair.pk")
    chair_name = serializers.CharField(source="chair.name")
    nurse = serializers.IntegerField(source="nurse.pk")
    nurse_name = serializers.CharField(source="nurse.get_full_name")

    def get_starts_at(self, slot) -> str:
        return slot.local_start.isoformat()


class FreeSlotsSerializer(serializers.Serializer):
    date = serializers.DateField()
    slots = FreeSlotSerializer(many=True)
    none_because = serializers.CharField(help_text="Why there are no slots, when there are none.")


class TransitionSerializer(serializers.Serializer):
    to_status = status_field()
    reason = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="",
        help_text="Required for cancelled and no-show.",
    )  # fmt: skip


class UndoCheckInSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=300, help_text="Why the check-in is undone (wrong patient, wrong day...)."
    )


class RescheduleSerializer(serializers.Serializer):
    starts_at = AwareDateTimeField(help_text="The new arrival time, with its UTC offset.")
    chair = chair_id(required=False, help_text="Another chair; the same one if left out.")
    nurse = staff_id(required=False, help_text="Another nurse; the same one if left out.")
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


REFUSED = {400: SchedulingErrorSerializer, 403: SchedulingErrorSerializer}


class AppointmentViewSet(RoleRules, viewsets.ReadOnlyModelViewSet):
    """Appointments at the caller's sites, in time order. Every member of staff reads them
    and changes their status (check-in, in chair...); the front desk and clinic admins
    reschedule. Booking is ``POST /courses/``."""

    queryset = Appointment.objects.none()  # for the schema; requests use get_queryset
    filterset_class = AppointmentFilter
    read_roles, write_roles = EVERYONE, DESK
    action_roles = {
        "transition": EVERYONE, "undo_check_in": EVERYONE, "slots": DESK, "make_up": DESK,
    }  # fmt: skip

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Appointment.objects.none()
        appointments = appointments_for(self.request.user)
        if self.action == "list":
            return appointments
        return appointments.prefetch_related("status_changes__changed_by")

    def get_serializer_class(self):
        return AppointmentSerializer if self.action == "list" else AppointmentDetailSerializer

    def answer(self, appointment: Appointment) -> Response:
        """The appointment as retrieve shows it, re-read after the change."""
        fresh = self.get_queryset().get(pk=appointment.pk)
        return Response(AppointmentDetailSerializer(fresh).data)

    @extend_schema(
        request=TransitionSerializer, responses={200: AppointmentDetailSerializer, **REFUSED}
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, *args, **kwargs):
        """Change the status (confirm, check in, in chair, complete, cancel, no-show) if the
        transition table allows it; 400 names the illegal move."""
        appointment = self.get_object()
        fields = validated(TransitionSerializer, request)
        # Who may set which status is the service's rule (403 names the status).
        with service_errors({"status": "to_status"}):
            appointment = appointment_transition(
                appointment=appointment, changed_by=request.user, **fields
            )
        return self.answer(appointment)

    @extend_schema(request=None, responses={200: AppointmentDetailSerializer, **REFUSED})
    @action(detail=True, methods=["post"], url_path="escort-confirm")
    def escort_confirm(self, request, *args, **kwargs):
        """The escort confirmed by phone: records the escort's name, who took the call and
        when (the front desk's one click on the board or the unconfirmed list)."""
        with service_errors():
            appointment = appointment_escort_confirm_by_phone(
                appointment=self.get_object(), by=request.user
            )
        return self.answer(appointment)

    @extend_schema(
        request=UndoCheckInSerializer, responses={200: AppointmentDetailSerializer, **REFUSED}
    )
    @action(detail=True, methods=["post"], url_path="undo-check-in")
    def undo_check_in(self, request, *args, **kwargs):
        """Undo a check-in made by mistake while nothing is charted for the visit: back to
        scheduled or confirmed, with the reason in the status history; 400 says what is
        already charted."""
        appointment = self.get_object()
        fields = validated(UndoCheckInSerializer, request)
        with service_errors():
            appointment = appointment_check_in_undo(
                appointment=appointment, changed_by=request.user, **fields
            )
        return self.answer(appointment)

    @extend_schema(
        parameters=[SlotQuerySerializer],
        responses={200: FreeSlotsSerializer, **REFUSED},
    )
    @action(detail=True, methods=["get"])
    def slots(self, request, *args, **kwargs):
        """Free times to move this session to on a day (site time), each with a free chair
        and a nurse on shift with room; post one to ``reschedule``, which re-checks it."""
        appointment = self.get_object()
        query = SlotQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        location = appointment.location
        today = site_today(location)
        own_day = location.date_of(appointment.starts_at)
        day = query.validated_data.get("date") or max(own_day, today)
        if day < today:
            found, why = [], f"{day:%m/%d/%Y} has passed."
        else:
            found, why = free_slots(appointment, day)
        body = {"date": day, "slots": found, "none_because": why}
        return Response(FreeSlotsSerializer(body).data)

    @extend_schema(
        request=MakeUpSerializer,
        responses={201: AppointmentDetailSerializer, **REFUSED, 409: SchedulingErrorSerializer},
    )
    @action(detail=True, methods=["post"], url_path="make-up")
    def make_up(self, request, *args, **kwargs):
        """Book a make-up for this cancelled course session after the course's last session:
        the first free slot (nearest the cancelled time), or the one given; 409 when it is
        already made up or the slot was taken meanwhile."""
        cancelled = self.get_object()
        fields = validated(MakeUpSerializer, request)
        with service_errors():
            made = appointment_book_make_up(cancelled=cancelled, booked_by=request.user, **fields)
        fresh = self.get_queryset().get(pk=made.pk)
        return Response(AppointmentDetailSerializer(fresh).data, status=201)

    @extend_schema(
        request=RescheduleSerializer,
        responses={200: AppointmentDetailSerializer, **REFUSED, 409: SchedulingErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request, *args, **kwargs):
        """Move this one session (its neighbours stay put); the gap to them is checked."""
        appointment = self.get_object()
        fields = validated(RescheduleSerializer, request)
        with service_errors():
            appointment = appointment_reschedule(
                appointment=appointment, changed_by=request.user, **fields
            )
        return self.answer(appointment)
