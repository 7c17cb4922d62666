"""Writing appointments, shared by booking and by changes: locks, saves, status history.

Overlaps are the database's job (exclusion constraints on chair and patient); these helpers
turn a race that reaches the database into a 409 the person booking can act on.
"""

from django.db import IntegrityError, transaction

from clinic.errors import ConflictError
from clinic.models import Location

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
    shift_ids = set()
    for nurse, times in nurse_times:
        shift_ids.update(covering_shift(location, nurse, times).values_list("pk", flat=True))
    list(NurseShift.objects.select_for_update().filter(pk__in=shift_ids).order_by("pk"))


def save_appointment(appointment: Appointment) -> None:
    # Overlaps are the database's job (exclusion constraints); a race ends up here.
    appointment.full_clean(validate_constraints=False)
    if appointment._state.adding:
        # The audit log's diff reads every reverse one-to-one (package use, charge review,
        # infusion record, make-up) and Django caches the "none" it finds; a new visit has
        # none yet, so cache that first and the diff asks the database nothing (booking a
        # course: no read per session).
        for relation in Appointment._meta.related_objects:
            if relation.one_to_one:
                relation.set_cached_value(appointment, None)
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError as error:
        for name, (field, message) in CONSTRAINT_MESSAGES.items():
            if name in str(error):
                raise ConflictError({field: message}) from error
        raise


def record_status(appointment, from_status, to_status, user, reason="") -> None:
    AppointmentStatusChange.objects.create(
        appointment=appointment, from_status=from_status, to_status=to_status,
        changed_by=user, reason=reason,
    )  # fmt: skip
