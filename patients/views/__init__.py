"""HTML screens for patient intake. Every lookup goes through selectors.patients_for and
every write through a service."""

from .clinical import (
    clearance,
    communication_consent,
    consent_sign,
    intake_new,
    screening_new,
    weight_new,
)
from .consultations import (
    consultation_attempt,
    consultation_close,
    consultation_queue,
    consultation_register,
    consultation_request,
    consultation_take,
)
from .corrections import measure_correct, weight_correct
from .detail import patient_detail
from .measures import measure_new, phq9_follow_up
from .registration import escort_add, patient_deactivate, patient_edit, patient_register
from .search import patient_list, search_results

__all__ = [
    "clearance",
    "communication_consent",
    "consent_sign",
    "consultation_attempt",
    "consultation_close",
    "consultation_queue",
    "consultation_register",
    "consultation_request",
    "consultation_take",
    "escort_add",
    "intake_new",
    "measure_correct",
    "measure_new",
    "patient_deactivate",
    "patient_detail",
    "patient_edit",
    "patient_list",
    "patient_register",
    "phq9_follow_up",
    "screening_new",
    "search_results",
    "weight_correct",
    "weight_new",
]
