"""Every write to the schedule goes through one of these functions."""

from .booking import SessionRequest, appointment_book_make_up, course_book
from .changes import (
    ALLOWED,
    appointment_reschedule,
    appointment_transition,
    course_cancel_remaining,
)
from .check_in import (
    appointment_check_in_undo,
    appointment_not_given,
    check_in_day_problem,
    may_check_in_today,
    require_check_in_day,
    site_today,
    visit_day,
)
from .consultations import consultation_book, consultation_cancel
from .escorts import appointment_escort_confirm_by_phone
from .planner import Proposal, ProposedSession, Wishes, course_propose
from .protocol_change import course_protocol_change
from .slots import local_datetime, session_times

__all__ = [
    "ALLOWED",
    "Proposal",
    "ProposedSession",
    "SessionRequest",
    "Wishes",
    "appointment_check_in_undo",
    "appointment_not_given",
    "appointment_escort_confirm_by_phone",
    "appointment_book_make_up",
    "appointment_reschedule",
    "check_in_day_problem",
    "consultation_book",
    "consultation_cancel",
    "may_check_in_today",
    "require_check_in_day",
    "site_today",
    "visit_day",
    "appointment_transition",
    "course_book",
    "course_cancel_remaining",
    "course_propose",
    "course_protocol_change",
    "local_datetime",
    "session_times",
]
