"""Plain helpers for the course-outcome tests: a course of n visits made directly (no
booking rules: a course of 2 is allowed here), answers given at a chosen moment through the
measures service, visits marked given, and the questionnaires with known totals."""

import datetime

import time_machine

from patients.services import measure_record
from scheduling.models import Appointment, AppointmentStatus
from tests.factories import AppointmentFactory, ChairFactory, CourseFactory
from tests.helpers import at, next_monday

MINUTE = datetime.timedelta(minutes=1)


def course_of_visits(*, patient, protocol, site, nurse, booked_by, count, hour=9, first=None):
    """A course with ``count`` visits two days apart from ``first`` (a date; next Monday by
    default) at ``hour``."""
    course = CourseFactory(
        patient=patient, protocol=protocol, location=site, planned_infusions=count,
        booked_by=booked_by,
    )  # fmt: skip
    chair = ChairFactory(location=site, name=f"Outcome chair {course.pk}")
    first = first or next_monday()
    for number in range(1, count + 1):
        AppointmentFactory(
            course=course, sequence=number, chair=chair, nurse=nurse,
            starts_at=at(first + datetime.timedelta(days=2 * (number - 1)), hour),
        )  # fmt: skip
    return course


def visits(course) -> list[Appointment]:
    return list(course.appointments.order_by("starts_at"))


def give(*appointments):
    """Mark visits given (the chair's discharge sets COMPLETED)."""
    Appointment.objects.filter(pk__in=[a.pk for a in appointments]).update(
        status=AppointmentStatus.COMPLETED
    )


def answer(patient, nurse, moment, kind, context, answers, *, by_patient=False):
    with time_machine.travel(moment):
        return measure_record(
            patient=patient, kind=kind, answers=answers, recorded_by=nurse, context=context,
            completed_by_patient=by_patient,
        )  # fmt: skip


def pain(patient, nurse, moment, context, score):
    return answer(patient, nurse, moment, "pain_nrs", context, {"score": score})


def before(visit) -> datetime.datetime:
    return visit.starts_at + 5 * MINUTE


def after(visit) -> datetime.datetime:
    return visit.infusion_ends_at + 10 * MINUTE


def fiqr(total_tens: int, *, item_10: int | None = None, item_11=None, item_12=None) -> dict:
    """FIQR answers, every item ``total_tens`` (total = 10 x it: 9v/3 + 2v + 10v/2), with
    items 10-12 changed when given (items 10, 11 add 1 each per point; item 12 adds 0.5)."""
    items = {f"item_{n}": total_tens for n in range(1, 22)}
    for name, value in (("item_10", item_10), ("item_11", item_11), ("item_12", item_12)):
        if value is not None:
            items[name] = value
    return items


def phq9(total: int) -> dict:
    """PHQ-9 answers with the given total, item 9 left at 0 (no same-day flag)."""
    items = {f"item_{n}": 0 for n in range(1, 10)}
    for n in range(1, 9):
        take = min(3, total)
        items[f"item_{n}"] = take
        total -= take
    assert total == 0
    return items
