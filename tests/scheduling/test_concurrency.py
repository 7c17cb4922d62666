"""50 people booking at once on real Postgres: exactly one wins, and nothing overlaps."""

import datetime

import pytest
from django.db import connection

from scheduling.models import Appointment, Chair
from tests.factories import PatientFactory
from tests.helpers import add_shifts, at, book, make_bookable, next_monday, race

THREADS = 50
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def eight_mondays_and_thursdays():
    day, starts = next_monday(), []
    while len(starts) < 8:
        if day.weekday() in (0, 3):
            starts.append(at(day, 10))
        day += datetime.timedelta(days=1)
    return starts


def overlapping_pairs(column: str, window: str = "starts_at, ends_at") -> int:
    start, end = (c.strip() for c in window.split(","))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM scheduling_appointment a JOIN scheduling_appointment b "  # noqa: S608
            f"ON a.{column} = b.{column} AND a.id < b.id "
            f"AND a.status IN ('scheduled','confirmed','checked_in','in_chair','completed') "
            f"AND b.status IN ('scheduled','confirmed','checked_in','in_chair','completed') "
            f"AND tstzrange(a.{start}, a.{end}) && tstzrange(b.{start}, b.{end})"
        )
        return cursor.fetchone()[0]


def book_for(patient, protocol, site, chair, nurse, user):
    starts = eight_mondays_and_thursdays()
    return lambda: book(patient, protocol, site, starts, chair, nurse, user)


def test_fifty_bookings_of_one_chair_give_one_course(site, chairs, nurse, protocol, front_desk):
    nurses = [nurse]
    from tests.factories import UserFactory

    nurses += [UserFactory(role="nurse", locations=[site]) for _ in range(THREADS - 1)]
    for each in nurses:
        add_shifts(each, site, next_monday() - datetime.timedelta(days=1), days=40)
    patients = [make_bookable(PatientFactory(home_location=site), nurse) for _ in range(THREADS)]
    outcomes = race(
        done="booked",
        attempts=[
            book_for(p, protocol, site, chairs[0], n, front_desk)
            for p, n in zip(patients, nurses, strict=True)
        ],
    )
    assert outcomes.count("booked") == 1, outcomes
    assert all("chair" in o.lower() for o in outcomes if o != "booked"), outcomes
    assert Appointment.objects.count() == 8
    assert overlapping_pairs("chair_id") == 0


def test_fifty_bookings_of_one_patient_give_one_course(
    site, nurse, protocol, front_desk, clinic_open
):
    from tests.factories import UserFactory

    patient = make_bookable(PatientFactory(home_location=site), nurse)
    chairs = [Chair.objects.create(location=site, name=f"Bay {n}") for n in range(THREADS)]
    nurses = [UserFactory(role="nurse", locations=[site]) for _ in range(THREADS)]
    for each in nurses:
        add_shifts(each, site, next_monday() - datetime.timedelta(days=1), days=40)
    outcomes = race(
        done="booked",
        attempts=[
            book_for(patient, protocol, site, c, n, front_desk)
            for c, n in zip(chairs, nurses, strict=True)
        ],
    )
    assert outcomes.count("booked") == 1, outcomes
    assert overlapping_pairs("patient_id") == 0


def test_fifty_bookings_with_one_nurse_respect_her_capacity(
    site, nurse, protocol, front_desk, clinic_open
):
    add_shifts(nurse, site, next_monday() - datetime.timedelta(days=1), days=40)
    chairs = [Chair.objects.create(location=site, name=f"Bay {n}") for n in range(THREADS)]
    patients = [make_bookable(PatientFactory(home_location=site), nurse) for _ in range(THREADS)]
    outcomes = race(
        done="booked",
        attempts=[
            book_for(p, protocol, site, c, nurse, front_desk)
            for p, c in zip(patients, chairs, strict=True)
        ],
    )
    assert outcomes.count("booked") == 1, outcomes
    assert all("patient(s) infusing then" in o for o in outcomes if o != "booked")
    assert overlapping_pairs("nurse_id", "infusion_starts_at, infusion_ends_at") == 0
