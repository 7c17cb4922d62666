from .links import LinkAnswer, LinkLanguage, LinkMessage, PatientLink
from .reviews import CourseReview, Decision
from .schedules import MeasureSchedule, ScheduledMeasure

__all__ = [
    "CourseReview",
    "Decision",
    "LinkAnswer",
    "LinkLanguage",
    "LinkMessage",
    "MeasureSchedule",
    "PatientLink",
    "ScheduledMeasure",
]
