"""The scheduling REST API. Views validate input and call scheduling.services; every lookup
is scoped to the caller's sites, so another site's rows are a 404."""

from .appointments import AppointmentViewSet
from .clinic import ChairViewSet, ClosedDayViewSet, NurseShiftViewSet, OpeningHoursViewSet
from .courses import CourseViewSet

__all__ = [
    "AppointmentViewSet",
    "ChairViewSet",
    "ClosedDayViewSet",
    "CourseViewSet",
    "NurseShiftViewSet",
    "OpeningHoursViewSet",
]
