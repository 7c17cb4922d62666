"""Where scheduling tells the reminders what changed.

Called inside the booking transaction, so the reminders issue can write its outbox rows
in the same transaction (a rolled-back booking leaves none). Until then they do nothing.
"""

from .models import Appointment, Course


def appointment_changed(appointment: Appointment, change: str) -> None:
    """``change`` is one of: booked, rescheduled, cancelled, no_show, status."""


def course_booked(course: Course) -> None:
    """A whole course was booked (the welcome message hooks in here)."""
