"""Chairside time arithmetic over plain values (no ORM): how long an infusion has really run
(pauses excluded), whether it may be completed, when recovery has lasted long enough, and
the one way elapsed times are written ("33 s", "12 min", "1 h 05 min").

The run time is computed from the record's append-only status history: each move to
``running`` opens a running stretch, any move away from it (paused, stopped, completed)
closes it. Events are given as (to_status, at) pairs in the order they happened.
"""

import datetime
from collections.abc import Iterable

RUNNING = "running"
# An entry typed in later keeps the time it happened, never a time in the future; a tablet's
# or a monitor's clock may run a few minutes fast.
CLOCK_SKEW = datetime.timedelta(minutes=5)


def run_seconds(statuses: Iterable[tuple[str, datetime.datetime]], now: datetime.datetime) -> int:
    """Whole seconds spent running up to ``now`` (an open running stretch counts to now)."""
    total = datetime.timedelta()
    opened = None
    for to_status, at in statuses:
        if to_status == RUNNING:
            if opened is None:
                opened = at
        elif opened is not None:
            total += max(at - opened, datetime.timedelta())
            opened = None
    if opened is not None:
        total += max(now - opened, datetime.timedelta())
    return int(total.total_seconds())


def completion_shortfall_seconds(run: int, planned_minutes: int, tolerance_minutes: int) -> int:
    """Seconds still to run before "Complete" is allowed (0 when it may complete)."""
    needed = max(planned_minutes - tolerance_minutes, 0) * 60
    return max(needed - run, 0)


def recovery_ready_at(ended_at: datetime.datetime, min_recovery_minutes: int) -> datetime.datetime:
    return ended_at + datetime.timedelta(minutes=min_recovery_minutes)


def format_elapsed(seconds: int | float | datetime.timedelta | None) -> str:
    """ "33 s" under a minute, "12 min" under an hour, then "1 h 05 min"; never a bare 0:00."""
    if seconds is None:
        return "–"
    if isinstance(seconds, datetime.timedelta):
        seconds = seconds.total_seconds()
    seconds = max(int(seconds), 0)
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def vitals_overdue_at(
    *, status: str, due_at: datetime.datetime | None, ended_at: datetime.datetime | None,
    interval_minutes: int,
) -> datetime.datetime | None:  # fmt: skip
    """When a reading due at ``due_at`` becomes overdue (the rule of
    ``scoring.next_vitals_due``): the baseline one interval after check-in, the end reading
    5 minutes after the end, any other reading at its due time. The screen counts "late"
    from here, so a baseline is not "0 s late" the moment the patient checks in."""
    if due_at is None:
        return None
    if status in ("checked_in", "pre_assessment", "ready"):
        return due_at + datetime.timedelta(minutes=interval_minutes)
    if ended_at is not None and due_at == ended_at:
        return due_at + datetime.timedelta(minutes=5)
    return due_at
