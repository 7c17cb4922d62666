"""Propose a whole course from the front desk's wishes. Reads only; saves nothing."""

import datetime
from dataclasses import dataclass, field

from clinic.models import Location, User
from clinic.roles import Role
from patients.models import Patient

from ..models import Chair, LocationSchedule, NurseShift, VisitTemplate
from ..selectors.visits import course_blockers
from .booking import SessionRequest
from .slots import SessionTimes, SiteBookings, local, local_datetime, session_times

STEP = datetime.timedelta(minutes=15)


@dataclass
class ProposedSession:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    chair: Chair
    nurse: User
    note: str = ""  # why it differs from the wish, when it does


@dataclass
class Proposal:
    sessions: list[ProposedSession] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # wishes that could not be met, and why
    blockers: list[str] = field(default_factory=list)  # why the course cannot be booked at all

    def as_requests(self) -> list[SessionRequest]:
        return [SessionRequest(s.starts_at, s.chair, s.nurse) for s in self.sessions]


@dataclass(frozen=True)
class Wishes:
    start_date: datetime.date
    weekdays: tuple[int, ...]  # 0 = Monday
    preferred_time: datetime.time
    sessions_per_week: int
    planned_infusions: int


def _free_chair_and_nurse(booked: SiteBookings, times: SessionTimes, chairs, nurses, prefer_nurse):
    """The first free chair and a nurse with room (the previous nurse first), or reasons."""
    if site := booked.site_problems(times):
        return None, list(site.values())
    if taken := booked.patient_problems(times):
        return None, list(taken.values())
    chair = next((c for c in chairs if not booked.chair_problems(c, times)), None)
    if chair is None:
        return None, ["no chair is free"]
    ordered = sorted(nurses, key=lambda n: n != prefer_nurse)
    nurse = next((n for n in ordered if not booked.nurse_problems(n, times)), None)
    if nurse is None:
        return None, ["no nurse on shift has room"]
    return (chair, nurse), []


def _try_day(booked: SiteBookings, day, wishes, minutes, template, chairs, nurses, prefer_nurse,
             not_before):  # fmt: skip
    """The wished time on this day, else the nearest free time that day (never earlier than
    ``not_before``, the minimum gap after the previous infusion)."""
    location = booked.location
    wanted = local_datetime(location, day, wishes.preferred_time)
    if closed := booked.closed_reason(day):
        return None, None, f"{location} is closed ({closed})"
    if not_before and wanted < not_before:
        found, reasons = None, ["too soon after the previous infusion"]
    else:
        found, reasons = _free_chair_and_nurse(
            booked,
            session_times(wanted, minutes, template),
            chairs,
            nurses,
            prefer_nurse,
        )
    if found:
        return wanted, found, ""
    hours = booked.hours.get(day.weekday())
    if hours is None:
        return None, None, reasons[0]
    length = template.chair_time(minutes)
    first = local_datetime(location, day, hours.opens_at)
    last = local_datetime(location, day, hours.closes_at) - length
    candidates = []
    moment = first
    while moment <= last:
        if not not_before or moment >= not_before:
            candidates.append(moment)
        moment += STEP
    for moment in sorted(candidates, key=lambda m: abs(m - wanted)):
        option, _ = _free_chair_and_nurse(
            booked,
            session_times(moment, minutes, template),
            chairs,
            nurses,
            prefer_nurse,
        )
        if option:
            note = f"{wishes.preferred_time:%H:%M} not possible ({reasons[0]}); nearest free time"
            return moment, option, note
    return None, None, f"{reasons[0]}, and no other time that day is free"


def course_propose(
    *,
    patient: Patient,
    protocol,
    location: Location,
    wishes: Wishes,
    template: VisitTemplate | None = None,
    booster: bool = False,
) -> Proposal:
    """A whole course that respects hours, closures, chairs, nurses and the minimum gap.

    Where a wish cannot be met it takes the nearest alternative and says why. Nothing is
    saved; the front desk adjusts the sessions and books them with ``course_book``.
    """
    rules = LocationSchedule.for_location(location)
    template = template or VisitTemplate.default()
    minutes = protocol.infusion_minutes
    proposal = Proposal(blockers=course_blockers(patient))
    if not protocol.is_active:
        proposal.blockers.append(f"{protocol} is withdrawn; choose an active protocol.")
    low, high = (1, 1) if booster else (rules.min_infusions, rules.max_infusions)
    if not low <= wishes.planned_infusions <= high:
        proposal.problems.append(f"A course has {low} to {high} infusions.")
        return proposal
    chairs = list(Chair.objects.in_service().filter(location=location).order_by("name"))
    gap = datetime.timedelta(hours=rules.min_gap_hours)
    last_end_day = wishes.start_date + datetime.timedelta(days=rules.max_course_days)
    # The nurses on a shift at the site in the course's days: no other can take a session
    # (and the site's every shift of five years is thousands of rows).
    first_start, _ = location.day_bounds(wishes.start_date)
    _, last_end = location.day_bounds(last_end_day)
    on_shift = (
        NurseShift.objects.filter(location=location)
        .overlapping(first_start, last_end)
        .values("nurse")
    )
    nurses = list(
        User.objects.filter(pk__in=on_shift, is_active=True, groups__name=Role.NURSE.label)
        .distinct()
        .order_by("pk")
    )
    # Every booking the proposal must avoid, read once: the checks below run in memory.
    booked = SiteBookings(
        location=location, patient=patient, chairs=chairs, nurses=nurses,
        first_day=wishes.start_date, last_day=last_end_day,
    )  # fmt: skip
    per_week: dict[tuple, int] = {}
    missed: dict[str, list[datetime.date]] = {}  # one line per reason, naming its days
    day, previous = wishes.start_date, None
    while len(proposal.sessions) < wishes.planned_infusions and day <= last_end_day:
        week = day.isocalendar()[:2]
        wanted_day = day.weekday() in wishes.weekdays
        if wanted_day and per_week.get(week, 0) < wishes.sessions_per_week:
            moment, option, note = _try_day(
                booked, day, wishes, minutes, template, chairs, nurses,
                previous.nurse if previous else None,
                previous.starts_at + gap if previous else None,
            )  # fmt: skip
            if moment:
                chair, nurse = option
                times = session_times(moment, minutes, template)
                previous = ProposedSession(times.starts_at, times.ends_at, chair, nurse, note)
                proposal.sessions.append(previous)
                per_week[week] = per_week.get(week, 0) + 1
            else:
                missed.setdefault(note, []).append(day)
        day += datetime.timedelta(days=1)
    proposal.problems.extend(grouped_problems(missed))
    missing = wishes.planned_infusions - len(proposal.sessions)
    if missing:
        proposal.problems.append(
            f"Only {len(proposal.sessions)} of {wishes.planned_infusions} infusions fit within "
            f"{rules.max_course_days} days on the chosen weekdays; "
            "add weekdays or sessions per week."
        )
    return proposal


def grouped_problems(missed: dict[str, list[datetime.date]]) -> list[str]:
    """One line per reason: "Mon 12/07: reason", or the reason then every day it struck."""
    lines = []
    for note, days in missed.items():
        if len(days) == 1:
            lines.append(f"{days[0]:%a %m/%d}: {note}")
        else:
            named = ", ".join(f"{day:%a %m/%d}" for day in days)
            lines.append(f"{note[:1].upper()}{note[1:]} on {len(days)} days: {named}")
    return lines


def describe(location: Location, session: ProposedSession) -> str:
    start = local(location, session.starts_at)
    return f"{start:%a %m/%d %H:%M} {session.chair.name} with {session.nurse}"
