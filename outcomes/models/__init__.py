from .links import LinkAnswer, LinkLanguage, PatientLink
from .schedules import MeasureSchedule, ScheduledMeasure

__all__ = ["LinkAnswer", "LinkLanguage", "MeasureSchedule", "PatientLink", "ScheduledMeasure"]
