"""Every write to patient records goes through one of these functions."""

from .clinical import (
    clearance_record,
    communication_consent_record,
    consent_sign,
    intake_record,
    screening_record,
    weight_correct,
    weight_record,
)
from .measures import (
    measure_correct,
    measure_record,
    measure_record_from_home,
    phq9_follow_up_record,
)
from .pipeline import (
    consultation_booked,
    consultation_cancelled,
    consultation_close,
    consultation_convert,
    consultation_submit,
    contact_attempt_record,
    first_infusion_booked,
)
from .registration import (
    escort_add,
    escort_deactivate,
    next_mrn,
    patient_deactivate,
    patient_register,
    patient_update,
)

__all__ = [
    "clearance_record",
    "communication_consent_record",
    "consent_sign",
    "consultation_booked",
    "consultation_cancelled",
    "consultation_close",
    "consultation_convert",
    "consultation_submit",
    "contact_attempt_record",
    "escort_add",
    "escort_deactivate",
    "first_infusion_booked",
    "intake_record",
    "measure_correct",
    "measure_record",
    "measure_record_from_home",
    "next_mrn",
    "patient_deactivate",
    "patient_register",
    "patient_update",
    "phq9_follow_up_record",
    "screening_record",
    "weight_correct",
    "weight_record",
]
