"""Can this session go here? One set of checks, used by the planner and by booking."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from clinic.models import Location, User
from clinic.roles import Role
from patients.models import Patient

from .. import closures
from ..closures import closed_reason, site_closures
from ..models import (
    Appointment,
    Chair,
    ChairOutOfService,
    LocationSchedule,
    NurseShift,
    OpeningHours,
    VisitTemplate,
)


def local_datetime(location: Location, day: datetime.date, at: datetime.time) -> datetime.datetime:
    """A wall-clock time at a site: 09:00 stays 09:00 across daylight-saving changes."""
    return location.at(day, at)


def local(location: Location, moment: datetime.datetime) -> datetime.datetime:
    return location.local(moment)


@dataclass(frozen=True)
class SessionTimes:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    infusion_starts_at: datetime.datetime
    infusion_ends_at: datetime.datetime


def session_times(
    starts_at: datetime.datetime, infusion_minutes: int, template: VisitTemplate
) -> SessionTimes:
    infusion_starts_at = starts_at + datetime.timedelta(minutes=template.prep_minutes)
    infusion_ends_at = infusion_starts_at + datetime.timedelta(minutes=infusion_minutes)
    return SessionTimes(
        starts_at=starts_at,
        ends_at=starts_at + template.chair_time(infusion_minutes),
        infusion_starts_at=infusion_starts_at,
        infusion_ends_at=infusion_ends_at,
    )


# What each rule says when it fails: one wording, whether the rule is checked by a query (the
# functions below) or in memory (``SiteBookings``).
def _passed(start: datetime.datetime) -> dict[str, str]:
    return {"starts_at": f"{start:%a %m/%d %H:%M} has already passed."}


def _closed(location: Location, start: datetime.datetime, reason: str) -> dict[str, str]:
    return {"starts_at": f"{location} is closed on {start:%m/%d/%Y} ({reason})."}


def _chair_out_of_service(chair: Chair) -> dict[str, str]:
    return {"chair": f"{chair.name} is out of service then."}


def _chair_booked(chair: Chair) -> dict[str, str]:
    return {"chair": f"{chair.name} is already booked then."}


def _patient_booked(patient: Patient) -> dict[str, str]:
    return {"starts_at": f"{patient.display_name} already has an appointment then."}


def _no_shift(location: Location, nurse: User) -> dict[str, str]:
    return {"nurse": f"{nurse} has no shift at {location} covering the infusion."}


def _nurse_full(nurse: User, capacity: int) -> dict[str, str]:
    return {"nurse": f"{nurse} already has {capacity} patient(s) infusing then."}


def site_problems(location: Location, times: SessionTimes) -> dict[str, str]:
    """Is the site open for the whole visit? Past times, closed days and hours."""
    start, end = local(location, times.starts_at), local(location, times.ends_at)
    if times.starts_at <= timezone.now():
        return _passed(start)
    if reason := closed_reason(location, start.date()):
        return _closed(location, start, reason)
    hours = OpeningHours.objects.filter(location=location, weekday=start.weekday()).first()
    return _hours_problems(location, start, end, hours)


def _hours_problems(location, start, end, hours: OpeningHours | None) -> dict[str, str]:
    """``start``-``end`` (site clock) against that weekday's opening hours (None: closed)."""
    if hours is None:
        return {"starts_at": f"{location} is closed on {start:%A}s."}
    if start.time() < hours.opens_at or end.time() > hours.closes_at or end.date() != start.date():
        return {
            "starts_at": f"{start:%a %m/%d %H:%M}-{end:%H:%M} is outside opening hours "
            f"({hours.opens_at:%H:%M}-{hours.closes_at:%H:%M})."
        }
    return {}


def chair_invalid(location: Location, chair: Chair) -> dict[str, str]:
    if chair.location_id != location.pk:
        return {"chair": f"{chair.name} is at {chair.location}, not {location}."}
    if not chair.is_active:
        return {"chair": f"{chair.name} is out of service."}
    return {}


def chair_problems(
    location: Location, chair: Chair, times: SessionTimes, ignore: Appointment | None = None
) -> dict[str, str]:
    if invalid := chair_invalid(location, chair):
        return invalid
    if chair.out_of_service.filter(
        starts_at__lt=times.ends_at, ends_at__gt=times.starts_at
    ).exists():
        return _chair_out_of_service(chair)
    taken = Appointment.objects.active().filter(chair=chair).between(times.starts_at, times.ends_at)
    if ignore is not None:
        taken = taken.exclude(pk=ignore.pk)
    if taken.exists():
        return _chair_booked(chair)
    return {}


def patient_problems(
    patient: Patient, times: SessionTimes, ignore: Appointment | None = None
) -> dict[str, str]:
    taken = Appointment.objects.active().filter(patient=patient)
    taken = taken.between(times.starts_at, times.ends_at)
    if ignore is not None:
        taken = taken.exclude(pk=ignore.pk)
    if taken.exists():
        return _patient_booked(patient)
    return {}


def covering_shift(location: Location, nurse: User, times: SessionTimes):
    return NurseShift.objects.filter(nurse=nurse, location=location).covering(
        times.infusion_starts_at, times.infusion_ends_at
    )


def nurse_invalid(nurse: User) -> dict[str, str]:
    if not nurse.has_role(Role.NURSE):
        return {"nurse": f"{nurse} is not a nurse."}
    return {}


def nurse_problems(
    location: Location, nurse: User, times: SessionTimes, ignore: Appointment | None = None
) -> dict[str, str]:
    """Is the nurse on shift for the infusion, with room for one more patient?"""
    if invalid := nurse_invalid(nurse):
        return invalid
    if not covering_shift(location, nurse, times).exists():
        return _no_shift(location, nurse)
    busy = (
        Appointment.objects.active()
        .filter(nurse=nurse)
        .infusing_between(times.infusion_starts_at, times.infusion_ends_at)
    )
    if ignore is not None:
        busy = busy.exclude(pk=ignore.pk)
    capacity = LocationSchedule.for_location(location).nurse_capacity
    if busy.count() >= capacity:
        return _nurse_full(nurse, capacity)
    return {}


def slot_invalid(
    *, location: Location, chair: Chair, nurse: User, times: SessionTimes
) -> dict[str, str]:
    """Bad input, whatever else is booked (HTTP 400): past, closed, outside hours,
    a chair of another site or out of service, someone who is not a nurse."""
    return site_problems(location, times) or (chair_invalid(location, chair) | nurse_invalid(nurse))


def slot_taken(
    *,
    location: Location,
    patient: Patient,
    chair: Chair,
    nurse: User,
    times: SessionTimes,
    ignore: Appointment | None = None,
) -> dict[str, str]:
    """What is already taken (HTTP 409): the chair, the patient's time, the nurse."""
    problems = chair_problems(location, chair, times, ignore)
    problems |= patient_problems(patient, times, ignore)
    problems |= nurse_problems(location, nurse, times, ignore)
    return problems


class SiteBookings:
    """Everything booked at a site over a range of days, read once (a fixed number of
    queries, however many bookings there are), so the planner can try hundreds of candidate
    times in memory. The rules and messages are those of ``site_problems``,
    ``chair_problems``, ``patient_problems`` and ``nurse_problems``; booking
    (``course_book``) reads them the same way once its locks are held (the nurses' shifts,
    the patient), and the database's exclusion constraints stand behind the chairs.

    ``nurse_problems`` assumes the nurse holds the nurse role (the planner picks them by
    it; ``slot_invalid`` checks it first)."""

    def __init__(self, *, location, patient, chairs, nurses, first_day, last_day):
        self.location = location
        self.patient = patient
        one_day = datetime.timedelta(days=1)
        first_day, last_day = first_day - one_day, last_day + one_day
        start = location.at(first_day, datetime.time.min)
        end = location.at(last_day + one_day, datetime.time.min)
        self.first_day, self.last_day = first_day, last_day
        rules = LocationSchedule.for_location(location)
        self.capacity = rules.nurse_capacity
        self.follows_federal_holidays = rules.follows_federal_holidays
        self.hours = {h.weekday: h for h in OpeningHours.objects.filter(location=location)}
        self.closures: dict[datetime.date, str] = {}
        dated = site_closures(location).filter(date__range=(first_day, last_day))
        for day, reason in dated.order_by("date", "pk").values_list("date", "reason"):
            self.closures.setdefault(day, reason)
        chair_ids = [c.pk for c in chairs]
        nurse_ids = [n.pk for n in nurses]
        active = Appointment.objects.active()
        self.out_of_service = self._by_day(
            ChairOutOfService.objects.filter(
                chair__in=chair_ids, starts_at__lt=end, ends_at__gt=start
            ).values_list("chair_id", "pk", "starts_at", "ends_at")
        )
        self.chair_busy = self._by_day(
            active.filter(chair__in=chair_ids)
            .between(start, end)
            .values_list("chair_id", "pk", "starts_at", "ends_at")
        )
        self.patient_busy = self._by_day(
            (patient.pk, pk, s, e)
            for pk, s, e in active.filter(patient=patient)
            .between(start, end)
            .values_list("pk", "starts_at", "ends_at")
        )
        self.shifts = defaultdict(list)
        for nurse_id, s, e in (
            NurseShift.objects.filter(location=location, nurse__in=nurse_ids)
            .overlapping(start, end)
            .values_list("nurse_id", "starts_at", "ends_at")
        ):
            self.shifts[nurse_id].append((s, e))
        self.nurse_busy = self._by_day(
            active.filter(nurse__in=nurse_ids)
            .infusing_between(start, end)
            .values_list("nurse_id", "pk", "infusion_starts_at", "infusion_ends_at")
        )

    def _by_day(self, rows) -> dict:
        """{(owner id, site day): [(row id, start, end)]}, under every day it touches."""
        found = defaultdict(list)
        for owner, pk, s, e in rows:
            self._file(found, owner, pk, s, e)
        return found

    def _file(self, table: dict, owner, pk, s, e) -> None:
        day, last = self.location.date_of(s), self.location.date_of(e)
        while day <= last:
            table[(owner, day)].append((pk, s, e))
            day += datetime.timedelta(days=1)

    def add(self, appointment: Appointment) -> None:
        """A visit just booked (the next session of the same course sees it)."""
        a = appointment
        self._file(self.chair_busy, a.chair_id, a.pk, a.starts_at, a.ends_at)
        self._file(self.patient_busy, a.patient_id, a.pk, a.starts_at, a.ends_at)
        self._file(self.nurse_busy, a.nurse_id, a.pk, a.infusion_starts_at, a.infusion_ends_at)

    def slot_invalid(self, chair: Chair, nurse: User, times: SessionTimes) -> dict[str, str]:
        """``slot_invalid``, from what was read."""
        return self.site_problems(times) or (
            chair_invalid(self.location, chair) | nurse_invalid(nurse)
        )

    def slot_taken(self, chair: Chair, nurse: User, times: SessionTimes) -> dict[str, str]:
        """``slot_taken``, from what was read."""
        return (
            self.chair_problems(chair, times)
            | self.patient_problems(times)
            | self.nurse_problems(nurse, times)
        )

    def _overlapping(self, table, owner, s, e) -> list:
        days = {self.location.date_of(s), self.location.date_of(e)}
        if min(days) < self.first_day or max(days) > self.last_day:
            raise ValueError(f"{s}-{e} is outside the days read ({self.first_day}-{self.last_day})")
        seen = {row for day in days for row in table.get((owner, day), ())}
        return [pk for pk, a, b in seen if a < e and b > s]

    def closed_reason(self, day: datetime.date) -> str | None:
        if day in self.closures:
            return self.closures[day]
        if self.follows_federal_holidays and (name := closures.federal_holiday(day)):
            return f"{name}, a US federal holiday"
        return None

    def site_problems(self, times: SessionTimes) -> dict[str, str]:
        location = self.location
        start, end = local(location, times.starts_at), local(location, times.ends_at)
        if times.starts_at <= timezone.now():
            return _passed(start)
        if reason := self.closed_reason(start.date()):
            return _closed(location, start, reason)
        return _hours_problems(location, start, end, self.hours.get(start.weekday()))

    def chair_problems(self, chair: Chair, times: SessionTimes) -> dict[str, str]:
        if invalid := chair_invalid(self.location, chair):
            return invalid
        s, e = times.starts_at, times.ends_at
        if self._overlapping(self.out_of_service, chair.pk, s, e):
            return _chair_out_of_service(chair)
        if self._overlapping(self.chair_busy, chair.pk, s, e):
            return _chair_booked(chair)
        return {}

    def patient_problems(self, times: SessionTimes) -> dict[str, str]:
        if self._overlapping(self.patient_busy, self.patient.pk, times.starts_at, times.ends_at):
            return _patient_booked(self.patient)
        return {}

    def nurse_problems(self, nurse: User, times: SessionTimes) -> dict[str, str]:
        s, e = times.infusion_starts_at, times.infusion_ends_at
        if not any(a <= s and b >= e for a, b in self.shifts.get(nurse.pk, ())):
            return _no_shift(self.location, nurse)
        if len(self._overlapping(self.nurse_busy, nurse.pk, s, e)) >= self.capacity:
            return _nurse_full(nurse, self.capacity)
        return {}
