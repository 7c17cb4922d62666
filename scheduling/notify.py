"""Where scheduling tells the reminders what changed.

Called inside the booking, rescheduling or cancelling transaction, so the outbox rows are
written (or cancelled) with the appointment itself: a rolled-back booking leaves none.
"""

from collections.abc import Callable

from .models import Appointment, Course
from .reminders import outbox

# Apps above scheduling that hear of every change (integrations' webhooks), registered from
# their AppConfig.ready(); called as listener(appointment, change) in the same transaction.
listeners: list[Callable[[Appointment, str], None]] = []


def on_appointment_changed(listener: Callable[[Appointment, str], None]) -> Callable:
    if listener not in listeners:
        listeners.append(listener)
    return listener


def appointment_changed(appointment: Appointment, change: str) -> None:
    """``change`` is one of: booked, rescheduled, cancelled, no_show, status."""
    outbox.on_appointment_changed(appointment, change)
    for listener in listeners:
        listener(appointment, change)


def course_booked(course: Course) -> None:
    """A whole course was booked: the welcome message."""
    outbox.on_course_booked(course)
