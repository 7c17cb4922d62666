"""The scheduling REST API. Views validate input and call scheduling.services; every lookup
is scoped to the caller's sites, so another site's rows are a 404."""

from .appointments import AppointmentViewSet
from .clinic import ChairViewSet, ClosedDayViewSet, NurseShiftViewSet, OpeningHoursViewSet
from .consultations import ConsultationViewSet
from .courses import CourseViewSet
from .patient import CalendarFeedViewSet, MessageViewSet

__all__ = [
    "AppointmentViewSet",
    "CalendarFeedViewSet",
    "ChairViewSet",
    "ClosedDayViewSet",
    "ConsultationViewSet",
    "CourseViewSet",
    "MessageViewSet",
    "NurseShiftViewSet",
    "OpeningHoursViewSet",
]
