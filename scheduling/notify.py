"""Where scheduling tells the reminders what changed.

Called inside the booking, rescheduling or cancelling transaction, so the outbox rows are
written (or cancelled) with the appointment itself: a rolled-back booking leaves none.
"""

from . import hooks
from .models import Appointment, Course
from .reminders import outbox


def appointment_changed(appointment: Appointment, change: str) -> None:
    """``change`` is one of: booked, rescheduled, cancelled, no_show, status."""
    outbox.on_appointment_changed(appointment, change)
    for listener in hooks.appointment_changes:
        listener(appointment, change)


def course_booked(course: Course, *, by) -> None:
    """A whole course was booked: the welcome message, then the apps above (billing's Good
    Faith Estimate)."""
    outbox.on_course_booked(course)
    for hook in hooks.course_booked:
        hook(course=course, by=by)
