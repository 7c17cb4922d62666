"""What the patient page shows of scheduling, for the API: the patient's messages (every
reminder written, with its delivery state) and their calendar links (the front desk gives
and revokes them, as on the Courses tab)."""

from django.db.models.functions import Coalesce
from django.urls import reverse
from django_filters import ChoiceFilter
from django_filters.rest_framework import FilterSet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from clinic.api import EVERYONE, StaffSerializer, service_errors
from clinic.filters import IdFilter, OrderBy
from clinic.roles import DESK
from patients.api.common import PatientRecordViewSet

from .. import calendar
from ..models import CalendarFeed, MessageChannel, MessageKind, MessageStatus, OutboundMessage

# --- Messages ------------------------------------------------------------------------------


class MessageSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=MessageKind.choices, read_only=True)
    channel = serializers.ChoiceField(choices=MessageChannel.choices, read_only=True)
    status = serializers.ChoiceField(
        choices=MessageStatus.choices, read_only=True,
        help_text="pending (due later), sending, sent, failed (after its tries; the front desk "
        "retries or calls), cancelled (the visit moved or was cancelled), skipped (see reason).",
    )  # fmt: skip

    class Meta:
        model = OutboundMessage
        fields = [
            "id", "appointment", "kind", "channel", "recipient", "send_at", "sent_at", "status",
            "reason", "attempts", "last_error", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class MessageFilter(FilterSet):
    appointment = IdFilter()
    status = ChoiceFilter(choices=MessageStatus.choices)
    channel = ChoiceFilter(choices=MessageChannel.choices)
    kind = ChoiceFilter(choices=MessageKind.choices)
    ordering = OrderBy("send_at", "sent_at", "created_at")


PATIENT_PK = OpenApiParameter("patient_pk", int, OpenApiParameter.PATH)


@extend_schema_view(list=extend_schema(parameters=[PATIENT_PK]),
                    retrieve=extend_schema(parameters=[PATIENT_PK]))  # fmt: skip
class MessageViewSet(PatientRecordViewSet):
    """Every reminder written for the patient and their escort, newest first (sent, or due),
    with its delivery state, as on the patient page. Bodies are not shown."""

    queryset = OutboundMessage.objects.all()
    serializer_class = MessageSerializer
    filterset_class = MessageFilter
    read_roles = EVERYONE

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        return OutboundMessage.objects.filter(appointment__patient=self.patient).order_by(
            Coalesce("sent_at", "send_at").desc(), "-pk"
        )


# --- Calendar links ------------------------------------------------------------------------


class CalendarFeedSerializer(serializers.ModelSerializer):
    created_by = StaffSerializer(read_only=True)
    url = serializers.SerializerMethodField(
        help_text="The secret address to give the patient; null once revoked."
    )

    class Meta:
        model = CalendarFeed
        fields = ["id", "url", "created_at", "created_by", "revoked_at"]
        read_only_fields = fields

    def get_url(self, feed) -> str | None:
        if feed.revoked_at is not None:
            return None
        path = reverse("scheduling:calendar_feed", args=[feed.token])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class CalendarFeedViewSet(PatientRecordViewSet):
    """The patient's calendar links, newest first: at most one live (its ``url`` answers the
    patient's appointments as iCalendar); revoking is final. The front desk gives and
    revokes them, as on the Courses tab; every staff member sees them."""

    ordering_fields = ("created_at",)

    queryset = CalendarFeed.objects.select_related("created_by")
    serializer_class = CalendarFeedSerializer
    read_roles, write_roles = EVERYONE, DESK

    def get_queryset(self):
        return super().get_queryset().order_by("-created_at", "-pk")

    @extend_schema(request=None, responses={201: CalendarFeedSerializer})
    def create(self, request, *args, **kwargs):
        """A new link; 400 while a live one exists (revoke it first)."""
        with service_errors():
            feed = calendar.calendar_feed_create(patient=self.patient, created_by=request.user)
        return self.created(feed)

    @extend_schema(request=None, responses={200: CalendarFeedSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, *args, **kwargs):
        """Revoke the link: its address answers 404 from now on (revoking twice changes
        nothing)."""
        feed = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        feed = calendar.calendar_feed_revoke(feed=feed, revoked_by=request.user)
        return self.answer(feed)

    def answer(self, feed) -> Response:
        return Response(self.get_serializer(feed).data)
