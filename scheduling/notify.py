"""Where scheduling tells the reminders what changed.

Called inside the booking, rescheduling or cancelling transaction, so the outbox rows are
written (or cancelled) with the appointment itself: a rolled-back booking leaves none.
"""

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar

from patients.services import first_infusion_booked

from . import hooks
from .models import Appointment, Course
from .reminders import outbox

# Inside ``course_changes_together``: (listener, course id) -> the last (appointment, change)
# held for the listeners that hear a course once per change (hooks.on_appointment_changed).
_held: ContextVar[dict | None] = ContextVar("scheduling_held_changes", default=None)


def appointment_changed(appointment: Appointment, change: str) -> None:
    """``change`` is one of: booked, rescheduled, cancelled, no_show, status."""
    outbox.on_appointment_changed(appointment, change)
    held = _held.get()
    for listener in hooks.appointment_changes:
        if (
            held is not None
            and appointment.course_id
            and (listener in hooks.once_per_course_listeners)
        ):
            held[(listener, appointment.course_id)] = (appointment, change)
            continue
        listener(appointment, change)


@contextmanager
def course_changes_together() -> Iterator[None]:
    """Several sessions changed by one service call: every listener hears each session as
    usual, except the once-per-course ones, which hear each course once when the block ends
    (inside the caller's transaction; nothing when the block raises)."""
    if _held.get() is not None:  # already inside one: the outer block announces
        yield
        return
    held: dict = {}
    token = _held.set(held)
    try:
        with ExitStack() as together:
            together.enter_context(outbox.written_together())
            for factory in hooks.changes_together:
                together.enter_context(factory())
            yield
    finally:
        _held.reset(token)
    for (listener, _course), (appointment, change) in held.items():
        listener(appointment, change)


def course_booked(course: Course, *, by) -> None:
    """A whole course was booked: the welcome message, then the apps above (billing's Good
    Faith Estimate). The patient's consultation request, if any, reaches "first infusion
    booked"."""
    outbox.on_course_booked(course)
    first_infusion_booked(patient=course.patient, by=by)
    for hook in hooks.course_booked:
        hook(course=course, by=by)
