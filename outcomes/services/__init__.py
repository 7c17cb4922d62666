"""Every write to outcomes records goes through one of these functions."""

from .boosters import BOOSTER_BOOKERS, booster_book, stopped_course_cancel
from .reviews import course_review_record
from .schedules import SCHEDULE_EDITORS, measure_schedule_revise

__all__ = [
    "BOOSTER_BOOKERS",
    "SCHEDULE_EDITORS",
    "booster_book",
    "course_review_record",
    "measure_schedule_revise",
    "stopped_course_cancel",
]
