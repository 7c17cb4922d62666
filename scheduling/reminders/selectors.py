"""Reads for the delivery dashboard, the follow-up list and a patient's message history."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic.access import locations_for
from clinic.models import User
from patients.models import CommunicationConsent, Patient

from ..models import Appointment, MessageStatus, OutboundMessage
from .outbox import REMINDABLE


@dataclass
class VisitMessages:
    appointment: Appointment
    messages: list[OutboundMessage]


def messages_by_visit(patient: Patient) -> list[VisitMessages]:
    """The patient's messages grouped by the visit they are about, latest visit first; in
    each visit, newest message first. One query."""
    rows = (
        OutboundMessage.objects.filter(appointment__patient=patient)
        .select_related("appointment", "appointment__location")
        .order_by(
            "-appointment__starts_at", "appointment_id", Coalesce("sent_at", "send_at").desc(),
            "-pk",
        )
    )  # fmt: skip
    visits: list[VisitMessages] = []
    for message in rows:
        if not visits or visits[-1].appointment.pk != message.appointment_id:
            visits.append(VisitMessages(message.appointment, []))
        visits[-1].messages.append(message)
    return visits


@dataclass(frozen=True)
class ConsentGap:
    channel: str  # "sms" or "email"
    label: str
    refusal: CommunicationConsent | None  # None: never recorded


def consent_gaps(patient: Patient) -> list[ConsentGap]:
    """The channels nothing will be sent on because the patient has not consented (never
    recorded, or the latest record refuses). One query."""
    latest: dict[str, CommunicationConsent] = {}
    for consent in patient.communication_consents.order_by("-recorded_at", "-pk"):
        latest.setdefault(consent.channel, consent)
    gaps = []
    for channel, label in CommunicationConsent.Channel.choices:
        consent = latest.get(channel)
        if consent is None or not consent.granted:
            gaps.append(ConsentGap(channel, label, consent))
    return gaps


@dataclass
class DashboardDay:
    day: datetime.date
    appointments: list[Appointment] = field(default_factory=list)


def delivery_dashboard_for(user: User, today: datetime.date | None = None) -> list[DashboardDay]:
    """Today's and tomorrow's appointments at the user's sites, each with its messages."""
    today = today or timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    end = start + datetime.timedelta(days=2)
    messages = OutboundMessage.objects.order_by("send_at", "kind", "channel")
    appointments = (
        Appointment.objects.filter(location__in=locations_for(user))
        .filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("patient", "location")
        .prefetch_related(Prefetch("messages", queryset=messages))
        .order_by("starts_at")
    )
    days = [DashboardDay(today), DashboardDay(today + datetime.timedelta(days=1))]
    for appointment in appointments:
        index = 0 if timezone.localdate(appointment.starts_at) == today else 1
        days[index].appointments.append(appointment)
    return days


def unconfirmed_soon_for(user: User, hours: int = 24) -> QuerySet[Appointment]:
    """Visits in the next ``hours`` whose patient has not confirmed an escort: call them."""
    now = timezone.now()
    return (
        Appointment.objects.filter(location__in=locations_for(user), status__in=REMINDABLE)
        .filter(starts_at__gt=now, starts_at__lte=now + datetime.timedelta(hours=hours))
        .filter(escort_confirmed=False)
        .select_related("patient", "location")
        .order_by("starts_at")
    )


def _site_day_window(locations, offset_days: int) -> Q:
    """Appointments starting on today + ``offset_days`` in each site's own zone."""
    window = Q(pk__in=[])
    now = timezone.now()
    for location in locations:
        start, end = location.day_bounds(location.today(now) + datetime.timedelta(days=offset_days))
        window |= Q(location=location, starts_at__gte=start, starts_at__lt=end)
    return window


def unconfirmed_tomorrow_for(user: User) -> QuerySet[Appointment]:
    """Tomorrow's visits (each site's tomorrow) whose escort is not confirmed; cancelled and
    no-show visits are not listed."""
    return (
        Appointment.objects.filter(_site_day_window(locations_for(user), 1))
        .filter(status__in=REMINDABLE, escort_confirmed=False)
        .select_related("patient", "location")
        .order_by("starts_at")
    )


def failed_reminders_for(user: User) -> QuerySet[OutboundMessage]:
    """Failed messages about visits at the user's sites that have not ended yet: the front
    desk retries them or calls the patient."""
    return OutboundMessage.objects.filter(
        appointment__location__in=locations_for(user),
        appointment__ends_at__gt=timezone.now(),
        status=MessageStatus.FAILED,
    )


def failed_after_tomorrow_for(user: User) -> QuerySet[OutboundMessage]:
    """The failed ones the two-day dashboard does not show: visits after tomorrow."""
    after = timezone.make_aware(
        datetime.datetime.combine(
            timezone.localdate() + datetime.timedelta(days=2), datetime.time()
        )
    )
    return (
        failed_reminders_for(user)
        .filter(appointment__starts_at__gte=after)
        .select_related("appointment__patient", "appointment__location")
        .order_by("appointment__starts_at", "pk")
    )


def message_for(user: User, pk: int) -> OutboundMessage:
    """One message, if it belongs to an appointment at one of the user's sites (else 404)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        OutboundMessage.objects.select_related("appointment"),
        pk=pk,
        appointment__location__in=locations_for(user),
    )
