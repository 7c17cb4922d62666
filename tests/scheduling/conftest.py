"""A bookable clinic: open Mon-Sat 08:00-18:00 with chairs, a nurse on shift every open day,
a fibromyalgia protocol (40-minute infusion) and a patient cleared to book."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from clinic.roles import Role
from infusions.services import protocol_create
from patients.models import EscortContact, Screening
from scheduling.models import Chair, NurseShift, OpeningHours
from tests.factories import PatientFactory, UserFactory

LA = ZoneInfo("America/Los_Angeles")
NEGATIVE = dict.fromkeys(Screening.QUESTIONS, "no")


def make_bookable(patient, nurse):
    """Screened negative with an escort (set up directly: these tests are about scheduling)."""
    Screening.objects.create(patient=patient, recorded_by=nurse, **NEGATIVE)
    EscortContact.objects.create(
        patient=patient, name="Pat", relationship="Spouse", phone="+19495550199", is_primary=True
    )
    return patient


def next_monday(weeks_ahead: int = 1) -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=(7 - today.weekday()) + 7 * (weeks_ahead - 1))


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LA)


def add_shifts(nurse, site, first_day, days=45):
    for offset in range(days):
        day = first_day + datetime.timedelta(days=offset)
        NurseShift.objects.create(
            nurse=nurse, location=site, starts_at=at(day, 7), ends_at=at(day, 19)
        )


@pytest.fixture
def clinic_open(site):
    for weekday in range(6):
        OpeningHours.objects.create(
            location=site, weekday=weekday, opens_at=datetime.time(8), closes_at=datetime.time(18)
        )
    return site


@pytest.fixture
def chairs(clinic_open):
    return [Chair.objects.create(location=clinic_open, name=f"Chair {n}") for n in range(1, 4)]


@pytest.fixture
def shifts(clinic_open, nurse):
    add_shifts(nurse, clinic_open, timezone.localdate())
    return nurse


@pytest.fixture
def protocol(physician):
    return protocol_create(
        name="Fibromyalgia 0.5 mg/kg over 40 min", code="fm", created_by=physician,
        soft_max_mg=Decimal("60"), hard_max_mg=Decimal("100"),
    )  # fmt: skip


@pytest.fixture
def patient(site, nurse):
    return make_bookable(PatientFactory(home_location=site), nurse)


@pytest.fixture
def another_nurse(site):
    return UserFactory(role=Role.NURSE, locations=[site])
