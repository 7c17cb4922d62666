"""Every write to outcomes records goes through one of these functions."""

from .boosters import BOOSTER_BOOKERS, booster_book, booster_options, stopped_course_cancel
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
from .reviews import course_review_record
from .schedules import SCHEDULE_EDITORS, measure_schedule_revise

__all__ = [
    "BOOSTER_BOOKERS",
    "LINK_SENDERS",
    "SCHEDULE_EDITORS",
    "booster_book",
    "booster_options",
    "course_review_record",
    "link_check_date_of_birth",
    "link_create",
    "link_request_new",
    "link_resend",
    "link_revoke",
    "link_save_answer",
    "link_submit",
    "measure_schedule_revise",
    "stopped_course_cancel",
]
