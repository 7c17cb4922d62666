"""Plain helpers shared by several test modules (no fixtures: those are in tests/fixtures)."""

import datetime
import threading
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from clinic.errors import ConflictError
from infusions.services import (
    discharge_record,
    infusion_complete,
    infusion_recovery,
    vitals_record,
)
from patients.demo import ready_for_treatment
from patients.models import EscortContact, Screening
from patients.services import weight_record
from scheduling.models import Chair, Course, NurseShift
from tests.chair_clock import advance
from tests.factories import (
    AppointmentFactory,
    ChairFactory,
    CourseFactory,
    DoseOrderFactory,
    LotFactory,
    PatientFactory,
    booked_course,
)

LA = ZoneInfo("America/Los_Angeles")
NEGATIVE = dict.fromkeys(Screening.QUESTIONS, "no")

# --- Orders --------------------------------------------------------------------------------


def make_appointment(*, site, nurse, protocol, starts_at=None, patient=None, ready=True):
    """A booked visit of a screened patient with an escort; ``ready``: the allergies and the
    signed consent an infusion needs are on file too."""
    patient = patient or PatientFactory(home_location=site)
    Screening.objects.get_or_create(patient=patient, recorded_by=nurse, defaults=NEGATIVE)
    if ready:
        ready_for_treatment(patient, nurse)  # through the services, as the demo does
    EscortContact.objects.get_or_create(
        patient=patient, name="Pat", relationship="Spouse", phone="+19495550199", is_primary=True
    )
    course = CourseFactory(
        patient=patient, protocol=protocol, location=site, planned_infusions=8, booked_by=nurse
    )
    chair = ChairFactory(location=site, name=f"Chair {Chair.objects.count() + 1}")
    return AppointmentFactory(
        course=course, chair=chair, nurse=nurse, starts_at=starts_at or timezone.now()
    )


def weigh(appointment, nurse, value, unit="kg", **kwargs):
    return weight_record(
        patient=appointment.patient, value=Decimal(value), unit=unit, measured_by=nurse,
        confirm_large_change=True, confirm_unusual_weight=True, **kwargs,
    )  # fmt: skip


def order_for(appointment, nurse):
    """An unsigned order for a 70 kg weight taken now, 50 mg/mL vials."""
    return DoseOrderFactory(appointment=appointment, created_by=nurse, weight_value="70")


def days_ago(days: int) -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=days)


# --- Charting ------------------------------------------------------------------------------

GOOD = dict(systolic_mmhg=120, diastolic_mmhg=78, pulse_bpm=72, spo2_percent=98)
PADSS_9 = {"vital_signs": 2, "activity": 2, "nausea_vomiting": 2, "pain": 2,
           "surgical_bleeding": 1}  # fmt: skip
ALDRETE_9 = {"activity": 2, "respiration": 2, "circulation": 2, "consciousness": 2,
             "oxygen_saturation": 1}  # fmt: skip

# Vitals that raise alerts (blood pressure, pulse, SpO2, respiratory rate).
ISSUE = dict(systolic_mmhg=186, diastolic_mmhg=112, pulse_bpm=118, spo2_percent=89,
             respiratory_rate_per_min=8)  # fmt: skip
# The chair check-in form filled in.
CHECK_IN_FORM = {
    "escort_status": "present", "escort_name": "Pat Lee", "escort_phone": "+19495550123",
    "weight_value": "70.4", "weight_unit": "kg", "pain_nrs": "4",
}  # fmt: skip


def check_in(client, appointment, **changes):
    """Posts the chair check-in form (``CHECK_IN_FORM`` with ``changes``)."""
    url = reverse("infusions:chair_check_in", args=[appointment.pk])
    return client.post(url, {**CHECK_IN_FORM, **changes})


def in_recovery(record, nurse):
    """Run the planned 40 min, complete, then recover 31 min with a recovery reading: the
    clock moves forward (tests.chair_clock), the rules stay."""
    advance(41)
    infusion_complete(record=record, by=nurse, administered_mg=Decimal("34.9"))
    vitals_record(record=record, taken_by=nurse, **GOOD)
    recovering = infusion_recovery(record=record, by=nurse)
    advance(31)
    vitals_record(record=record, taken_by=nurse, **GOOD)
    return recovering


def discharge(record, nurse, **changes):
    fields = dict(
        score_type="aldrete", item_scores=ALDRETE_9, escort_present=True, escort_name="Pat Lee",
        pain_nrs=3, instructions_given=True,
    )  # fmt: skip
    return discharge_record(record=record, by=nurse, **{**fields, **changes})


# --- Scheduling ----------------------------------------------------------------------------


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


def mon_wed_fri(first_day: datetime.date, count: int, hour: int = 9) -> list[datetime.datetime]:
    """``count`` Monday, Wednesday and Friday visits at ``hour`` from ``first_day`` on."""
    days, day = [], first_day
    while len(days) < count:
        if day.weekday() in (0, 2, 4):
            days.append(day)
        day += datetime.timedelta(days=1)
    return [at(d, hour) for d in days]


def book(patient, protocol, site, starts, chair, nurse, user, **kwargs) -> Course:
    """A course booked the real way (``scheduling.services.course_book``): one session at
    each of ``starts``, all in ``chair`` with ``nurse``; ``kwargs`` go to the service."""
    return booked_course(
        patient=patient, protocol=protocol, location=site, starts=starts, chair=chair,
        nurse=nurse, booked_by=user, **kwargs,
    )  # fmt: skip


def book_course(patient, protocol, site, chair, nurse, user, count=10, hour=9) -> Course:
    """``count`` Monday/Wednesday/Friday sessions from next Monday, booked with ``book``."""
    starts = mon_wed_fri(next_monday(), count, hour)
    return book(patient, protocol, site, starts, chair, nurse, user)


# --- Drug log ------------------------------------------------------------------------------


def receive(site, by, *, number="K123", vials=2, expires_on=None, conc="50", volume="10"):
    return LotFactory(
        location=site, lot_number=number, concentration_mg_per_ml=Decimal(conc),
        vial_volume_ml=Decimal(volume), received_vials=vials, received_by=by,
        expires_on=expires_on or timezone.localdate() + datetime.timedelta(days=365),
    )  # fmt: skip


def race(*, attempts, done="done"):
    """Run every attempt in its own thread and database connection, released together by a
    barrier; each outcome is ``done``, "conflict: <the ConflictError's words>" or "refused:
    <the ValidationError's messages>"."""
    barrier = threading.Barrier(len(attempts))
    outcomes = []

    def run(attempt):
        try:
            barrier.wait()
            attempt()
            outcomes.append(done)
        except ConflictError as error:
            outcomes.append(f"conflict: {error}")
        except ValidationError as error:
            outcomes.append(f"refused: {' '.join(error.messages)}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a,)) for a in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes
