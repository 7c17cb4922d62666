"""The day board and the week view of a site.

The day board and the week view each cost one location query (with that day's hours and
closure folded in as subqueries), one chairs query and one appointments query, however
many chairs and appointments a site has."""

import datetime
import math
import re
from dataclasses import dataclass, field
from functools import cached_property

from django.urls import reverse
from django.utils.dateformat import time_format

from clinic.models import Location

from ..models import (
    Appointment,
    Chair,
    OpeningHours,
)

SLOT_MINUTES = 15
DEFAULT_HOURS = (datetime.time(8), datetime.time(18))  # the grid shown on a closed day


@dataclass
class Block:
    """An appointment placed on the board's 15-minute grid (columns are 1-based), with its
    grid classes and clock times made here: a busy site's day is dozens of blocks, and the
    template's number and date formatting per block and per lane was a fifth of the page's
    time."""

    appointment: Appointment
    column: int
    span: int
    when: str = ""  # "9:00–10:45 AM" in the site's zone

    @property
    def grid(self) -> str:
        return f"at-{self.column} len-{self.span}"


@dataclass(frozen=True)
class HourMark:
    """A full hour on the board's time axis: its grid classes and its label ("9 AM")."""

    grid: str
    label: str


@dataclass
class Lane:
    chair: Chair
    blocks: list[Block] = field(default_factory=list)


@dataclass
class DayBoard:
    location: Location
    day: datetime.date
    starts_at: datetime.datetime
    slots: int
    lanes: list[Lane]
    closed_reason: str = ""

    @cached_property
    def hours(self) -> list[HourMark]:
        """Each full hour, for the time axis and each lane's grid lines (made once a board)."""
        step = datetime.timedelta(minutes=SLOT_MINUTES)
        per_hour = 60 // SLOT_MINUTES
        marks = []
        for index in range(self.slots):
            moment = self.starts_at + index * step
            if moment.minute == 0:
                span = min(per_hour, self.slots - index)
                marks.append(HourMark(f"at-{index + 1} len-{span}", time_format(moment, "g A")))
        return marks

    @cached_property
    def end(self) -> str:
        return f"at-{self.slots}"


def local_midnight(location: Location, day: datetime.date) -> datetime.datetime:
    return location.at(day, datetime.time.min)


def _slot(moment: datetime.datetime, origin: datetime.datetime, rounding) -> int:
    return int(rounding((moment - origin).total_seconds() / 60 / SLOT_MINUTES))


def _chair_order(chair: Chair) -> list:
    """Names in the order people count: Chair 2 before Chair 10."""
    parts = re.split(r"(\d+)", chair.name)  # text and numbers alternate, text first
    return [int(part) if part.isdigit() else part.lower() for part in parts]


def _chairs(location: Location) -> list[Chair]:
    chairs = Chair.objects.in_service().filter(location=location)
    return sorted(chairs, key=_chair_order)


def _day_window(location, day, opens_at, closes_at, appointments):
    """Opening hours of the day, widened to show any appointment booked outside them."""
    opens_at, closes_at = (opens_at, closes_at) if opens_at else DEFAULT_HOURS
    tz = location.zone
    start = datetime.datetime.combine(day, opens_at, tzinfo=tz)
    end = datetime.datetime.combine(day, closes_at, tzinfo=tz)
    midnight = local_midnight(location, day)
    if appointments:
        start = min(start, max(midnight, min(a.starts_at for a in appointments).astimezone(tz)))
        last = midnight + datetime.timedelta(days=1)
        end = max(end, min(last, max(a.ends_at for a in appointments).astimezone(tz)))
    # Snap the window to the quarter-hour grid.
    first = _slot(start, midnight, math.floor)
    after = _slot(end, midnight, math.ceil)
    step = datetime.timedelta(minutes=SLOT_MINUTES)
    return midnight + first * step, max(after - first, 4)


def day_board(location: Location, day: datetime.date) -> DayBoard:
    """``location`` comes from ``location_on_day`` (hours and closure annotated)."""
    chairs = _chairs(location)
    midnight = local_midnight(location, day)
    appointments = list(
        Appointment.objects.active()
        .at_location(location)
        .between(midnight, midnight + datetime.timedelta(days=1))
        .for_board()
    )
    starts_at, slots = _day_window(
        location, day, location.opens_at, location.closes_at, appointments
    )
    lanes = {chair.pk: Lane(chair) for chair in chairs}
    for appointment in appointments:
        lane = lanes.get(appointment.chair_id)
        if lane is not None:
            lane.blocks.append(place(appointment, starts_at, slots))
    return DayBoard(
        location=location,
        day=day,
        starts_at=starts_at,
        slots=slots,
        lanes=list(lanes.values()),
        closed_reason=location.closed_reason
        or ("" if location.opens_at else f"Closed on {day:%A}s"),
    )


def place(appointment: Appointment, origin: datetime.datetime, slots: int) -> Block:
    """``origin`` is in the site's zone (``_day_window``): the block's times are shown in it."""
    first = max(_slot(appointment.starts_at, origin, math.floor), 0)
    after = min(_slot(appointment.ends_at, origin, math.ceil), slots)
    tz = origin.tzinfo
    starts, ends = appointment.starts_at.astimezone(tz), appointment.ends_at.astimezone(tz)
    when = f"{time_format(starts, 'g:i')}–{time_format(ends, 'g:i A')}"
    return Block(appointment, first + 1, max(after - first, 1), when)


def board_origin(location: Location, appointment: Appointment) -> tuple[datetime.datetime, int]:
    """The grid an appointment's block sits on, to re-render one block after a change."""
    day = location.date_of(appointment.starts_at)
    weekday = OpeningHours.objects.filter(location=location, weekday=day.weekday()).first()
    opens_at, closes_at = (weekday.opens_at, weekday.closes_at) if weekday else (None, None)
    return _day_window(location, day, opens_at, closes_at, [appointment])


# --- The week view ---------------------------------------------------------------------------


@dataclass
class WeekRow:
    chair: Chair
    days: list[list[Appointment]]


def week_board(location: Location, monday: datetime.date) -> tuple[list, list[WeekRow]]:
    """Seven days from ``monday``: per chair, per day, the appointments in time order."""
    days = [monday + datetime.timedelta(days=n) for n in range(7)]
    chairs = _chairs(location)
    start = local_midnight(location, monday)
    end = local_midnight(location, monday + datetime.timedelta(days=7))
    tz = location.zone
    rows = {chair.pk: WeekRow(chair, [[] for _ in days]) for chair in chairs}
    appointments = Appointment.objects.active().at_location(location).between(start, end)
    # The link and the clock time of each line, made here: a busy site's week is hundreds
    # of lines, and a {% url %} and two date filters per line were half the page's time.
    patient_url = reverse("patients:detail", args=[0]).rsplit("/0/", 1)
    for appointment in appointments.for_week():
        row = rows.get(appointment.chair_id)
        local = appointment.starts_at.astimezone(tz)
        offset = (local.date() - monday).days
        if row is not None and 0 <= offset < 7:
            appointment.week_time = time_format(local, "g:i A")
            appointment.patient_url = f"/{appointment.patient_id}/".join(patient_url)
            row.days[offset].append(appointment)
    return days, list(rows.values())
