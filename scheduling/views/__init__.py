"""HTML screens for scheduling. Every lookup is scoped to the user's sites and every write
goes through a service."""

from .board import board, check_in, check_in_undo, escort_confirm, todays_patients, week
from .changes import cancel, course_cancel, make_up, no_show, reschedule
from .patient import calendar_download, calendar_feed, feed_create, feed_revoke, patient_courses
from .pipeline import consultation_book, consultation_cancel, pipeline
from .planner import planner, planner_blockers
from .setup import admin_home, rota_change, rota_week, site_change, site_page

__all__ = [
    "board",
    "calendar_download",
    "calendar_feed",
    "cancel",
    "check_in",
    "check_in_undo",
    "consultation_book",
    "consultation_cancel",
    "course_cancel",
    "escort_confirm",
    "feed_create",
    "feed_revoke",
    "no_show",
    "patient_courses",
    "pipeline",
    "planner",
    "planner_blockers",
    "reschedule",
    "make_up",
    "todays_patients",
    "admin_home",
    "rota_change",
    "rota_week",
    "site_change",
    "site_page",
    "week",
]
