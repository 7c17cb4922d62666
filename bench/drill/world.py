"""What the scenarios work on: one site open every day and all day, a chair and a nurse per
lane, a front-desk user with an API token, patients cleared to book with SMS consent, and
due reminders written straight into the outbox.

A site where it is now about noon, so quiet hours never hold an SMS back (as ``make bench``).
Each booking takes the next free lane-day (one chair and its own nurse, one visit a day), so
no two bookings of a run compete for a slot: a refused booking is the drill's finding, not a
clash it made itself.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

LANES = 10
VISIT_HOUR = 10


@dataclass
class World:
    site: object
    desk: object
    token: str
    protocol: object
    chairs: list
    nurses: list
    slots: itertools.count = field(default_factory=itertools.count)

    def patients(self, count: int) -> list:
        """``count`` new patients cleared to book, each with an escort and SMS consent."""
        from patients.models import CommunicationConsent
        from tests.factories import PatientFactory
        from tests.helpers import make_bookable

        made = []
        for _ in range(count):
            patient = make_bookable(
                PatientFactory(home_location=self.site, phone=f"+1949{_phone():07d}"),
                self.nurses[0],
            )
            CommunicationConsent.objects.create(
                patient=patient, channel="sms", granted=True, method="written"
            )
            made.append(patient)
        return made

    def booking(self, patient) -> dict:
        """The API body that books a one-visit course for ``patient`` in the next free slot."""
        slot = next(self.slots)
        lane, day = slot % LANES, slot // LANES
        zone = ZoneInfo(self.site.time_zone)
        date = datetime.datetime.now(zone).date() + datetime.timedelta(days=3 + day)
        starts_at = datetime.datetime.combine(date, datetime.time(VISIT_HOUR), tzinfo=zone)
        return {
            "patient": patient.pk, "protocol": self.protocol.pk, "location": self.site.pk,
            "planned_infusions": 1,
            "sessions": [{"starts_at": starts_at.isoformat(), "chair": self.chairs[lane].pk,
                          "nurse": self.nurses[lane].pk}],
        }  # fmt: skip


_phones = itertools.count(1)


def _phone() -> int:
    return next(_phones)


def noon_zone() -> str:
    from django.utils import timezone

    offset = (12 - timezone.now().astimezone(datetime.UTC).hour + 12) % 24 - 12
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


def build(days: int = 40) -> World:
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from clinic.models import Location, User
    from clinic.roles import Role
    from infusions.services import protocol_create
    from scheduling.models import Chair, LocationSchedule, NurseShift, OpeningHours

    zone = noon_zone()
    site = Location.objects.create(name="Drill", code="drill", time_zone=zone,
                                   phone="+19495550100", address="1 Drill Way")  # fmt: skip
    LocationSchedule.objects.create(location=site, min_infusions=1,
                                    follows_federal_holidays=False)  # fmt: skip
    for weekday in range(7):
        OpeningHours.objects.create(location=site, weekday=weekday, opens_at=datetime.time(6),
                                    closes_at=datetime.time(20))  # fmt: skip
    desk = _staff("drill-desk", Role.FRONT_DESK, site, Group, User)
    physician = _staff("drill-physician", Role.PHYSICIAN, site, Group, User)
    nurses = [_staff(f"drill-nurse-{n}", Role.NURSE, site, Group, User) for n in range(LANES)]
    chairs = [Chair.objects.create(location=site, name=f"Chair {n}") for n in range(LANES)]
    local = ZoneInfo(zone)
    today = datetime.datetime.now(local).date()
    NurseShift.objects.bulk_create(
        NurseShift(nurse=nurse, location=site,
                   starts_at=datetime.datetime.combine(day, datetime.time(7), tzinfo=local),
                   ends_at=datetime.datetime.combine(day, datetime.time(19), tzinfo=local))
        for nurse in nurses
        for day in (today + datetime.timedelta(days=n) for n in range(days))
    )  # fmt: skip
    protocol = protocol_create(name="Drill 0.5 mg/kg over 40 min", code="drill",
                               created_by=physician, soft_max_mg=60, hard_max_mg=100)  # fmt: skip
    token = Token.objects.create(user=desk).key
    return World(site=site, desk=desk, token=token, protocol=protocol, chairs=chairs,
                 nurses=nurses)  # fmt: skip


def _staff(username, role, site, Group, User):  # noqa: N803 - the model classes
    user = User.objects.create(username=username, first_name=username)
    user.groups.add(Group.objects.get(name=role.label))
    user.locations.add(site)
    return user


def due_reminders(world: World, count: int, *, spread_seconds: float = 0) -> list[int]:
    """``count`` SMS reminders written straight into the outbox (one per appointment, far in
    the future, on chairs of their own): due now, or due one after another over the next
    ``spread_seconds``. Their ids."""
    from django.db import connection
    from django.utils import timezone

    from patients.models import CommunicationConsent, Patient
    from scheduling.models import Appointment, Chair, OutboundMessage

    batch = next(_batches)
    people = max(1, count // 10)
    lanes = min(50, people)
    chairs = Chair.objects.bulk_create(
        Chair(location=world.site, name=f"Bulk {batch}-{n}") for n in range(lanes)
    )
    patients = Patient.objects.bulk_create(
        Patient(mrn=f"DR{batch}{n:06d}", legal_first_name="Drill", legal_last_name=f"P{n}",
                date_of_birth=datetime.date(1980, 1, 1), phone=f"+1858{batch}{n:06d}",
                home_location=world.site)
        for n in range(people)
    )  # fmt: skip
    CommunicationConsent.objects.bulk_create(
        CommunicationConsent(patient=p, channel="sms", granted=True, method="written")
        for p in patients
    )
    first = timezone.now() + datetime.timedelta(days=60 + 400 * batch)
    appointments = []
    for n in range(count):
        # A patient's visits are 30 h apart or more and a chair's 3 h apart: no overlap.
        starts_at = first + datetime.timedelta(hours=3 * (n // lanes))
        appointments.append(Appointment(
            patient=patients[n % people], location=world.site, chair=chairs[n % lanes],
            nurse=world.nurses[0], starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(minutes=105),
            infusion_starts_at=starts_at + datetime.timedelta(minutes=20),
            infusion_ends_at=starts_at + datetime.timedelta(minutes=60)))  # fmt: skip
    appointments = Appointment.objects.bulk_create(appointments, batch_size=2000)
    now = timezone.now() - datetime.timedelta(seconds=1)
    step = datetime.timedelta(seconds=spread_seconds / max(1, count))
    rows = OutboundMessage.objects.bulk_create(
        (OutboundMessage(appointment=a, kind="appointment", channel="sms", send_at=now + n * step)
         for n, a in enumerate(appointments)),
        batch_size=2000,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE scheduling_outboundmessage")
    return [row.pk for row in rows]


_batches = itertools.count(1)
