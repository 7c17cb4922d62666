"""Outcomes' screens.

schedules  the clinic admin's measure schedules and the patient page's due-measures partial
links      staff: send, resend and revoke a patient's measures link
answer     the patient's own page, reached through the link (no login)
"""

from . import answer
from .links import link_resend, link_revoke, link_send
from .schedules import patient_due_measures, schedule, schedules

__all__ = [
    "answer",
    "link_resend",
    "link_revoke",
    "link_send",
    "patient_due_measures",
    "schedule",
    "schedules",
]
