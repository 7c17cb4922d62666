from .schedules import MeasureSchedule, ScheduledMeasure

__all__ = ["MeasureSchedule", "ScheduledMeasure"]
