"""A patient's appointments as iCalendar, and the secret, revocable feed URL that serves them.

What a calendar shows can be seen by anyone who glances at a phone or is sent the link: the
summary is "Clinic appointment", never a diagnosis, protocol or drug name. Times are the
site's wall-clock times with a TZID, so 09:00 stays 09:00 across a daylight-saving change.
"""

import secrets
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar, Event

from clinic.access import require_role
from clinic.models import User
from clinic.roles import DESK
from patients.models import Patient

from .models import Appointment, CalendarFeed

FEED_MANAGERS = DESK
SUMMARY = "Clinic appointment"
UID_DOMAIN = "appointments.clinic"  # no drug name, even here


def appointment_uid(appointment: Appointment) -> str:
    """Stable per appointment: a rescheduled visit updates the same calendar entry."""
    return f"appointment-{appointment.pk}@{UID_DOMAIN}"


def _event(appointment: Appointment, stamp) -> Event:
    location = appointment.location
    tz = ZoneInfo(location.time_zone)
    event = Event()
    event.add("uid", appointment_uid(appointment))
    event.add("dtstamp", stamp)
    event.add("dtstart", appointment.starts_at.astimezone(tz))
    event.add("dtend", appointment.ends_at.astimezone(tz))
    event.add("summary", SUMMARY)
    where = ", ".join(
        part for part in (location.name, location.address.replace("\n", ", ")) if part
    )
    event.add("location", where)
    event.add(
        "description",
        "Please bring the adult who will take you home; you may not drive after your visit."
        + (f" Questions: {location.phone}." if location.phone else ""),
    )
    return event


def patient_calendar(patient: Patient) -> bytes:
    """The patient's active appointments (scheduled to completed) as an .ics file."""
    calendar = Calendar()
    calendar.add("prodid", "-//Clinic//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Clinic appointments")
    stamp = timezone.now()
    appointments = Appointment.objects.active().filter(patient=patient).select_related("location")
    for appointment in appointments.order_by("starts_at"):
        calendar.add_component(_event(appointment, stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def feed_for_token(token: str) -> CalendarFeed | None:
    """The live feed with this token; None when unknown or revoked."""
    return (
        CalendarFeed.objects.select_related("patient").filter(token=token, revoked_at=None).first()
    )


# These two write; they belong with the services (scheduling/services/) and are kept here
# only until that package grows a calendar module.


@transaction.atomic
def calendar_feed_create(*, patient: Patient, created_by: User) -> CalendarFeed:
    """A new secret feed for the patient; refused while a live one exists."""
    require_role(created_by, *FEED_MANAGERS, doing="create calendar links")
    Patient.objects.select_for_update().get(pk=patient.pk)
    if patient.calendar_feeds.filter(revoked_at=None).exists():
        raise ValidationError("This patient already has a calendar link; revoke it first.")
    feed = CalendarFeed(patient=patient, token=secrets.token_urlsafe(32), created_by=created_by)
    feed.full_clean()
    feed.save()
    return feed


@transaction.atomic
def calendar_feed_revoke(*, feed: CalendarFeed, revoked_by: User) -> CalendarFeed:
    """Revoking is final: the URL answers 404 from now on."""
    require_role(revoked_by, *FEED_MANAGERS, doing="revoke calendar links")
    feed = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
    return feed
