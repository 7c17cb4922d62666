"""Every write to outcomes records goes through one of these functions."""

from .schedules import SCHEDULE_EDITORS, measure_schedule_revise

__all__ = ["SCHEDULE_EDITORS", "measure_schedule_revise"]
