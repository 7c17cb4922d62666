"""Writing and cancelling outbox rows, inside the transaction that changes the appointment.

Nothing here talks to the broker except ``kick_dispatch``, which runs after commit, is
best-effort and fast: with Redis down the rows simply wait for the next sweep.
"""

import datetime
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from .. import hooks
from ..models import (
    Appointment,
    AppointmentStatus,
    Course,
    MessageKind,
    MessageStatus,
    OutboundMessage,
    ReminderRule,
)
from .dispatch import DISPATCH_TASK, publish

logger = logging.getLogger(__name__)

# Only these appointments still need reminders.
REMINDABLE = (AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED)


# Inside ``written_together``: the active reminder rules, read by the first visit that needs
# them, and the rows written since, held to be inserted at once.
_rules: ContextVar[list | None] = ContextVar("scheduling_reminder_rules", default=None)
_held_rows: ContextVar[list | None] = ContextVar("scheduling_outbox_rows", default=None)


@contextmanager
def written_together() -> Iterator[None]:
    """Several visits written by one service call (a course booked) read the rules once and
    insert their reminders in one statement as the block ends (still inside the caller's
    transaction; nothing when the block raises). A cancel inside the block inserts what is
    held first, so rows are never cancelled before they exist."""
    if _rules.get() is not None:
        yield
        return
    rules, rows = _rules.set([]), _held_rows.set([])
    try:
        yield
        _flush_held()
    finally:
        _rules.reset(rules)
        _held_rows.reset(rows)


def _reminder_rules() -> list[ReminderRule]:
    held = _rules.get()
    if held:
        return held[0]
    rules = list(ReminderRule.objects.filter(is_active=True).exclude(kind=MessageKind.WELCOME))
    if held is not None:
        held.append(rules)
    return rules


def reminder_rows(appointment: Appointment, now: datetime.datetime) -> list[OutboundMessage]:
    """One row per active rule and channel, at its time before the visit.

    A visit booked inside every window of a kind (booked today for tomorrow) still gets
    that kind once, now, rather than none; passed windows are otherwise dropped.
    """
    wanted: dict[tuple[str, str], list[datetime.datetime]] = {}
    for rule in _reminder_rules():
        send_at = appointment.starts_at - datetime.timedelta(hours=rule.hours_before)
        for channel in rule.channels:
            wanted.setdefault((rule.kind, channel), []).append(send_at)
    rows = []
    for (kind, channel), times in sorted(wanted.items()):
        due = sorted({t for t in times if t > now}) or (
            [now] if appointment.starts_at > now else []
        )
        rows += [
            OutboundMessage(appointment=appointment, kind=kind, channel=channel, send_at=send_at)
            for send_at in due
        ]
    return rows


def write_rows(rows: list[OutboundMessage]) -> None:
    held = _held_rows.get()
    if held is not None:
        held.extend(rows)
    else:
        _insert(rows)


def _insert(rows: list[OutboundMessage]) -> None:
    # A row already there for the same appointment, kind, channel and time stays the only one.
    OutboundMessage.objects.bulk_create(rows, ignore_conflicts=True)
    if any(row.send_at <= timezone.now() for row in rows):
        schedule_kick()


def _flush_held() -> None:
    held = _held_rows.get()
    if held:
        _insert(list(held))
        held.clear()


def cancel_pending(appointment: Appointment, reason: str, *, keep_welcome: bool = False) -> int:
    """The visit's own reminders. A message of a kind an app above words (outcomes' measures
    link, ``scheduling.hooks.outbox_kinds``) belongs to that app, not to the visit's time:
    it stays, and the app's ``still_wanted`` decides when it is sent."""
    _flush_held()
    pending = OutboundMessage.objects.filter(
        appointment=appointment, status=MessageStatus.PENDING
    ).exclude(kind__in=list(hooks.outbox_kinds))
    if keep_welcome:
        pending = pending.exclude(kind=MessageKind.WELCOME)
    return pending.update(status=MessageStatus.CANCELLED, reason=reason)


def on_appointment_changed(appointment: Appointment, change: str) -> None:
    now = timezone.now()
    if change == "booked":
        write_rows(reminder_rows(appointment, now))
    elif change == "rescheduled":
        site_zone = ZoneInfo(appointment.location.time_zone)
        when = f"{timezone.localtime(appointment.starts_at, site_zone):%m/%d %H:%M}"
        cancel_pending(appointment, f"Rescheduled to {when}", keep_welcome=True)
        write_rows(reminder_rows(appointment, now))
    elif appointment.status not in REMINDABLE:
        cancel_pending(appointment, f"Appointment {appointment.get_status_display().lower()}")


def on_course_booked(course: Course) -> None:
    first = course.appointments.order_by("starts_at").first()
    rules = ReminderRule.objects.filter(kind=MessageKind.WELCOME, is_active=True)
    if first is None or not rules.exists():
        return
    now = timezone.now()
    channels = sorted({channel for rule in rules for channel in rule.channels})
    write_rows(
        [
            OutboundMessage(appointment=first, kind=MessageKind.WELCOME, channel=c, send_at=now)
            for c in channels
        ]
    )


def schedule_kick() -> None:
    """After commit, ask the worker to sweep now instead of at the next minute (once per
    transaction, however many rows were written)."""
    pending = getattr(connection, "run_on_commit", [])
    if any(entry[1] is kick_dispatch for entry in pending):
        return
    transaction.on_commit(kick_dispatch)


def kick_dispatch() -> None:
    if not publish(DISPATCH_TASK, [()]):
        logger.warning("Broker unreachable: due reminders wait for the next sweep.")
