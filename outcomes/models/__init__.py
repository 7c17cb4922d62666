from .links import LinkAnswer, LinkLanguage, LinkMessage, PatientLink
from .schedules import MeasureSchedule, ScheduledMeasure

__all__ = [
    "LinkAnswer",
    "LinkLanguage",
    "LinkMessage",
    "MeasureSchedule",
    "PatientLink",
    "ScheduledMeasure",
]
