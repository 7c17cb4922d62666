"""What every patient screen shares: who may do what, and the one patient lookup."""

from clinic.models import User
from clinic.roles import CLINICAL, DESK

from .. import selectors
from ..models import Patient

# Who may read screening answers, intake details, weights and measures.
# Who may record them (the services refuse anybody else).
CLINICAL_WRITERS = CLINICAL
REGISTRARS = DESK


def patient_for(user: User, pk: int) -> Patient:
    """The patient, if the user may see them; a refusal page saying why otherwise."""
    return selectors.patient_for(user, pk)


def form_context(patient: Patient, form, **extra) -> dict:
    return {"patient": patient, "form": form, **extra}
