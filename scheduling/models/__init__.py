from .clinic import (
    Chair,
    ChairOutOfService,
    ChairQuerySet,
    ClosedDay,
    LocationSchedule,
    NurseShift,
    OpeningHours,
    VisitTemplate,
)
from .courses import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentQuerySet,
    AppointmentStatus,
    AppointmentStatusChange,
    CalendarFeed,
    Course,
    CourseStatus,
)

__all__ = [
    "ACTIVE_STATUSES",
    "Appointment",
    "AppointmentQuerySet",
    "AppointmentStatus",
    "AppointmentStatusChange",
    "CalendarFeed",
    "Chair",
    "ChairOutOfService",
    "ChairQuerySet",
    "ClosedDay",
    "Course",
    "CourseStatus",
    "LocationSchedule",
    "NurseShift",
    "OpeningHours",
    "VisitTemplate",
]
