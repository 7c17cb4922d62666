"""Checking in happens on the visit's day only, in the visit's site's zone; a check-in with
nothing charted yet can be undone, with the reason, back to the status it came from; a
checked-in visit whose infusion is not given today is cancelled from the chair with the
reason (``appointment_not_given``).

The undo is not a move in ``ALLOWED`` (no one "un-checks-in" through the generic status
change): it is its own service, append-only like every status change (a history row from
checked in back to scheduled or confirmed, with the reason), and the apps above scheduling
that chart the visit refuse it or do their part through ``scheduling.hooks``.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.access import require_role
from clinic.models import Location, User
from clinic.transitions import IllegalTransition

from .. import hooks, notify
from ..models import Appointment, AppointmentStatus
from . import changes
from .appointments import record_status

S = AppointmentStatus
NOTE = "Check-in undone: "
NOT_GIVEN_NOTE = "Not given: "
REASON_LENGTH = 300  # the history row's reason holds 300 characters, its note included


def site_today(location: Location, now: datetime.datetime | None = None) -> datetime.date:
    return location.today(now)


def visit_day(appointment: Appointment) -> datetime.date:
    """The visit's date where it happens (its site's zone)."""
    return appointment.location.date_of(appointment.starts_at)


def check_in_day_problem(appointment: Appointment) -> str | None:
    """Why the visit cannot be checked in today, or None on the visit's own day."""
    day, today = visit_day(appointment), site_today(appointment.location)
    if day == today:
        return None
    when = "is not until" if day > today else "was on"
    return (
        f"This visit {when} {day:%A %m/%d/%Y}: a patient is checked in only on the day of "
        f"the visit (today is {today:%m/%d/%Y} at {appointment.location})."
    )


def may_check_in_today(appointment: Appointment) -> bool:
    return check_in_day_problem(appointment) is None


def require_check_in_day(appointment: Appointment) -> None:
    if problem := check_in_day_problem(appointment):
        raise ValidationError({"status": problem})


def _status_before_check_in(appointment: Appointment) -> str:
    last = (
        appointment.status_changes.filter(to_status=S.CHECKED_IN)
        .order_by("-pk")
        .values_list("from_status", flat=True)
        .first()
    )
    # Where an undone check-in may return to: the statuses a check-in may come from.
    return last if last in changes.ALLOWED.sources(S.CHECKED_IN) else S.SCHEDULED


def _checked_in_locked(
    appointment: Appointment, reason: str, *, can: str, ask: str, note: str
) -> tuple[Appointment, str]:
    """The visit locked, if checked in, and the reason stripped, present and short enough
    for its history row after ``note``."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status != S.CHECKED_IN:
        current = S(appointment.status).label.lower()
        raise IllegalTransition(
            {"status": f"Only a checked-in visit can {can}; this one is {current}."}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": f"Say why {ask}."})
    if len(reason) > (limit := REASON_LENGTH - len(note)):
        raise ValidationError({"reason": f"Keep the reason under {limit} characters."})
    return appointment, reason


@transaction.atomic
def appointment_check_in_undo(
    *, appointment: Appointment, changed_by: User, reason: str
) -> Appointment:
    """Undo a check-in made by mistake (wrong patient, wrong day) while nothing is charted:
    back to the status before the check-in, with a history row naming the reason."""
    who_checks_in = changes.STATUS_SETTERS.get(S.CHECKED_IN, changes.STAFF)
    require_role(changed_by, *who_checks_in, doing="undo a check-in")
    appointment, reason = _checked_in_locked(
        appointment, reason, can="have its check-in undone", ask="the check-in is undone",
        note=NOTE,
    )  # fmt: skip
    for hook in hooks.check_in_undo:
        hook(appointment=appointment, by=changed_by, reason=reason)
    previous = _status_before_check_in(appointment)
    appointment.status = previous
    appointment.save(update_fields=["status"])
    record_status(appointment, S.CHECKED_IN, previous, changed_by, NOTE + reason)
    notify.appointment_changed(appointment, "status")
    return appointment


@transaction.atomic
def appointment_not_given(
    *, appointment: Appointment, changed_by: User, reason: str
) -> Appointment:
    """A checked-in visit whose infusion is not given today (blood pressure above the
    protocol's limit at the pre-assessment, no escort, the patient left): cancelled by the
    nurse or physician who charted it, the reason in its history. The chair frees, and the
    course's count and the waitlist see a cancelled session. The front desk's cancel of a
    checked-in visit comes to the same (``changes.appointment_transition``); either way the
    chart's part runs through ``hooks.checked_in_cancel``."""
    clinical = changes.STATUS_SETTERS[S.IN_CHAIR]
    require_role(changed_by, *clinical, doing="chart a visit as not given")
    appointment, reason = _checked_in_locked(
        appointment, reason, can="be charted as not given",
        ask="the infusion is not given today", note=NOT_GIVEN_NOTE,
    )  # fmt: skip
    return changes._transition_locked(appointment, S.CANCELLED, changed_by, NOT_GIVEN_NOTE + reason)
