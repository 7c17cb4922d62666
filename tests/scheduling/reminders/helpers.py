"""Building blocks of the reminder tests, shared with test_reminder_worker: a bookable site
where it is a chosen hour now, consenting patients, bookings, due rows, the file backend."""

import datetime
import json
import random
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils import timezone

from clinic.roles import Role
from patients.models import CommunicationConsent
from scheduling.models import (
    Chair,
    LocationSchedule,
    MessageStatus,
    NurseShift,
    OpeningHours,
    OutboundMessage,
)
from scheduling.reminders import dispatch
from scheduling.tasks import reminder_send
from tests import helpers
from tests.factories import LocationFactory, PatientFactory, UserFactory
from tests.helpers import make_bookable

S = MessageStatus


def zone_where_it_is(hour: int) -> str:
    """A fixed-offset zone whose local time is now about ``hour``: quiet hours then are
    a choice of the test, not of the time it runs at."""
    offset = (hour - timezone.now().astimezone(datetime.UTC).hour + 12) % 24 - 12
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"  # Etc/GMT-3 is UTC+3


def unique_phone() -> str:
    return f"+1949{random.randint(200, 999)}{random.randint(0, 9999):04d}"  # noqa: S311


def bookable_site(hour_now: int = 12, name: str = "Reminder Site"):
    """A site open every day 06:00-20:00 local where it is now about ``hour_now``, with a
    chair, a nurse on shift for the next week and single-infusion courses allowed."""
    code = f"r-{uuid.uuid4().hex[:8]}"
    site = LocationFactory(
        name=f"{name} {code}", code=code, time_zone=zone_where_it_is(hour_now),
        address="1 Reminder Way, Irvine, CA", phone="+19495550100",
    )  # fmt: skip
    for weekday in range(7):
        OpeningHours.objects.create(
            location=site, weekday=weekday, opens_at=datetime.time(6), closes_at=datetime.time(20)
        )
    LocationSchedule.objects.create(location=site, min_infusions=1, max_infusions=12)
    chair = Chair.objects.create(location=site, name="Chair 1")
    nurse = UserFactory(role=Role.NURSE, locations=[site])
    zone, today = ZoneInfo(site.time_zone), timezone.now().astimezone(ZoneInfo(site.time_zone))
    for offset in range(8):
        day = today.date() + datetime.timedelta(days=offset)
        NurseShift.objects.create(
            nurse=nurse, location=site,
            starts_at=datetime.datetime.combine(day, datetime.time(6), tzinfo=zone),
            ends_at=datetime.datetime.combine(day, datetime.time(20), tzinfo=zone),
        )  # fmt: skip
    return site, chair, nurse


def consenting_patient(site, nurse, *, sms=True, email=True):
    tag = uuid.uuid4().hex[:10]
    patient = make_bookable(
        PatientFactory(home_location=site, phone=unique_phone(), email=f"p-{tag}@test.clinic"),
        nurse,
    )
    for channel, granted in (("sms", sms), ("email", email)):
        if granted is not None:
            CommunicationConsent.objects.create(
                patient=patient, channel=channel, granted=granted, method="written"
            )
    return patient


def local_at(site, days_ahead: int, hour: int) -> datetime.datetime:
    zone = ZoneInfo(site.time_zone)
    day = timezone.now().astimezone(zone).date() + datetime.timedelta(days=days_ahead)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)


def book(patient, site, chair, nurse, protocol, user, starts_at):
    """One appointment at ``starts_at``, booked through ``tests.helpers.book``."""
    course = helpers.book(patient, protocol, site, [starts_at], chair, nurse, user)
    return course.appointments.get()


def make_due(appointment, **filters) -> list[int]:
    rows = OutboundMessage.objects.filter(appointment=appointment, status=S.PENDING, **filters)
    ids = list(rows.values_list("pk", flat=True))
    now = timezone.now()
    for n, pk in enumerate(ids, start=1):  # distinct times: (kind, channel, time) is unique
        OutboundMessage.objects.filter(pk=pk).update(send_at=now - datetime.timedelta(seconds=n))
    return ids


def sms_files(folder, to: str) -> list[dict]:
    records = [json.loads(p.read_text()) for p in Path(folder).glob("*.json")]
    return [r for r in records if r["to"] == to]


def booked(clinic, protocol, front_desk, *, days_ahead=3, **consents):
    site, chair, nurse = clinic
    patient = consenting_patient(site, nurse, **consents)
    return book(patient, site, chair, nurse, protocol, front_desk, local_at(site, days_ahead, 12))


def send_now(ids):
    claimed = dispatch.claim_due()
    for pk in ids:
        assert pk in claimed
        reminder_send.apply(args=[pk])
