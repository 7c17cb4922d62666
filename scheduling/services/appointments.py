"""Writing appointments, shared by booking and by changes: locks, saves, status history.

Overlaps are the database's job (exclusion constraints on chair and patient); these helpers
turn a race that reaches the database into a 409 the person booking can act on.
"""

import operator
from functools import reduce

from django.db import IntegrityError, transaction

from clinic.errors import ConflictError
from clinic.models import Location
from clinic.queries import known_new

from ..models import Appointment, AppointmentStatusChange, NurseShift
from .slots import covering_shift

# Constraint name -> what to tell the person booking, when a race reaches the database.
CONSTRAINT_MESSAGES = {
    "appointment_chair_no_overlap": ("chair", "This chair was just booked by someone else."),
    "appointment_patient_no_overlap": (
        "starts_at",
        "The patient was just booked at an overlapping time.",
    ),
}


def lock_nurse_shifts(location: Location, nurse_times: list[tuple]) -> None:
    """Nurse capacity cannot be a constraint: bookings for a nurse are serialised by locking
    the shift rows first, in id order, so two bookings never wait on each other in a cycle."""
    if not nurse_times:
        return
    covering = reduce(operator.or_, (covering_shift(location, n, t) for n, t in nurse_times))
    list(
        NurseShift.objects.select_for_update()
        .filter(pk__in=covering.values("pk"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def save_appointment(appointment: Appointment) -> None:
    # Overlaps are the database's job (exclusion constraints); a race ends up here. Related
    # rows handed in as saved instances (the course just created, the chair and nurse the
    # caller read) are not looked up again one query each: the foreign keys stand behind them.
    appointment.full_clean(exclude=_given_relations(appointment), validate_constraints=False)
    if appointment._state.adding:
        known_new(appointment)
    # No savepoint of its own (two round trips a visit, 24 for a course of 12): every caller
    # is an atomic service, and a refusal here ends it, rolling the whole change back.
    try:
        with transaction.atomic(savepoint=False):
            appointment.save()
    except IntegrityError as error:
        for name, (field, message) in CONSTRAINT_MESSAGES.items():
            if name in str(error):
                raise ConflictError({field: message}) from error
        raise


def _given_relations(appointment: Appointment) -> list[str]:
    return [
        field.name
        for field in Appointment._meta.concrete_fields
        if field.is_relation
        and field.is_cached(appointment)
        and getattr(appointment, field.name) is not None
        and getattr(appointment, field.name).pk is not None
    ]


def record_status(appointment, from_status, to_status, user, reason="") -> None:
    AppointmentStatusChange.objects.create(
        appointment=appointment, from_status=from_status, to_status=to_status,
        changed_by=user, reason=reason,
    )  # fmt: skip
