"""The factories in tests/factories.py make valid rows with their defaults alone."""

from decimal import Decimal

from infusions.models import EntryKind, InfusionStatus
from infusions.services import lot_balance
from scheduling.models import AppointmentStatus
from tests.factories import (
    AppointmentFactory,
    DoseOrderFactory,
    InfusionRecordFactory,
    LotFactory,
    booked_course,
)
from tests.helpers import mon_wed_fri, next_monday


def test_an_appointment_brings_its_course_patient_site_chair_and_nurse(db):
    appointment = AppointmentFactory()
    course = appointment.course
    assert appointment.patient == course.patient and appointment.location == course.location
    assert appointment.chair.location == appointment.location
    assert appointment.nurse.locations.filter(pk=appointment.location.pk).exists()
    assert course.protocol.current_version is not None


def test_a_dose_order_is_calculated_by_the_service(db):
    order = DoseOrderFactory(weight_value="154", weight_unit="lb")
    assert order.weight_kg == Decimal("69.85") and order.dose_mg == Decimal("34.9")
    assert order.created_by == order.appointment.nurse


def test_an_infusion_record_checks_the_visit_in(db):
    record = InfusionRecordFactory()
    record.appointment.refresh_from_db()
    assert record.status == InfusionStatus.CHECKED_IN
    assert record.appointment.status == AppointmentStatus.CHECKED_IN


def test_a_lot_is_received_with_its_entry(db):
    lot = LotFactory()
    assert lot_balance(lot) == (Decimal("1000.00"), Decimal("20.00"))
    assert lot.entries.get().kind == EntryKind.RECEIVED


def test_booked_course_books_through_the_service(shifts, chairs, patient, protocol, front_desk):
    starts = mon_wed_fri(next_monday(), 8)
    course = booked_course(
        patient=patient, protocol=protocol, location=chairs[0].location, starts=starts,
        chair=chairs[0], nurse=shifts, booked_by=front_desk,
    )  # fmt: skip
    assert [a.starts_at for a in course.appointments.order_by("sequence")] == starts
    assert course.planned_infusions == 8 and course.booked_by == front_desk
