from .reviews import CourseReview, Decision
from .schedules import MeasureSchedule, ScheduledMeasure

__all__ = ["CourseReview", "Decision", "MeasureSchedule", "ScheduledMeasure"]
