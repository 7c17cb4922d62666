"""What every patient screen shares: who may do what, and the one patient lookup."""

from clinic.models import User
from clinic.roles import Role

from .. import selectors
from ..models import Patient

ALL_STAFF = (Role.FRONT_DESK, Role.NURSE, Role.PHYSICIAN, Role.CLINIC_ADMIN)
# Who may read screening answers, intake details, weights and measures.
CLINICAL_READERS = (Role.NURSE, Role.PHYSICIAN, Role.CLINIC_ADMIN)
# Who may record them (the services refuse anybody else).
CLINICAL_WRITERS = (Role.NURSE, Role.PHYSICIAN)
REGISTRARS = (Role.FRONT_DESK, Role.CLINIC_ADMIN)


def patient_for(user: User, pk: int) -> Patient:
    """The patient, if the user may see them; a refusal page saying why otherwise."""
    return selectors.patient_for(user, pk)


def can(user: User, roles: tuple[str, ...]) -> bool:
    return user.is_superuser or user.has_role(*roles)


def form_context(patient: Patient, form, **extra) -> dict:
    return {"patient": patient, "form": form, **extra}
