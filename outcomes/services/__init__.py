"""Every write to outcomes records goes through one of these functions."""

from .links import (
    LINK_SENDERS,
    link_check_date_of_birth,
    link_create,
    link_request_new,
    link_resend,
    link_revoke,
    link_save_answer,
    link_submit,
)
from .schedules import SCHEDULE_EDITORS, measure_schedule_revise

__all__ = [
    "LINK_SENDERS",
    "SCHEDULE_EDITORS",
    "link_check_date_of_birth",
    "link_create",
    "link_request_new",
    "link_resend",
    "link_revoke",
    "link_save_answer",
    "link_submit",
    "measure_schedule_revise",
]
