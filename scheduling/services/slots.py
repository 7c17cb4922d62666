"""Can this session go here? One set of checks, used by the planner and by booking."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from clinic.models import Location, User
from clinic.roles import Role
from patients.models import Patient

from ..closures import closed_reason
from ..models import (
    Appointment,
    Chair,
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


def site_problems(location: Location, times: SessionTimes) -> dict[str, str]:
    """Is the site open for the whole visit? Past times, closed days and hours."""
    start, end = local(location, times.starts_at), local(location, times.ends_at)
    when = f"{start:%a %m/%d %H:%M}"
    if times.starts_at <= timezone.now():
        return {"starts_at": f"{when} has already passed."}
    if reason := closed_reason(location, start.date()):
        return {"starts_at": f"{location} is closed on {start:%m/%d/%Y} ({reason})."}
    hours = OpeningHours.objects.filter(location=location, weekday=start.weekday()).first()
    if hours is None:
        return {"starts_at": f"{location} is closed on {start:%A}s."}
    if start.time() < hours.opens_at or end.time() > hours.closes_at or end.date() != start.date():
        return {
            "starts_at": f"{when}-{end:%H:%M} is outside opening hours "
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
        return {"chair": f"{chair.name} is out of service then."}
    taken = Appointment.objects.active().filter(chair=chair).between(times.starts_at, times.ends_at)
    if ignore is not None:
        taken = taken.exclude(pk=ignore.pk)
    if taken.exists():
        return {"chair": f"{chair.name} is already booked then."}
    return {}


def patient_problems(
    patient: Patient, times: SessionTimes, ignore: Appointment | None = None
) -> dict[str, str]:
    taken = Appointment.objects.active().filter(patient=patient)
    taken = taken.between(times.starts_at, times.ends_at)
    if ignore is not None:
        taken = taken.exclude(pk=ignore.pk)
    if taken.exists():
        return {"starts_at": f"{patient.display_name} already has an appointment then."}
    return {}


def covering_shift(location: Location, nurse: User, times: SessionTimes):
    return NurseShift.objects.filter(
        nurse=nurse,
        location=location,
        starts_at__lte=times.infusion_starts_at,
        ends_at__gte=times.infusion_ends_at,
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
        return {"nurse": f"{nurse} has no shift at {location} covering the infusion."}
    busy = (
        Appointment.objects.active()
        .filter(nurse=nurse)
        .filter(
            infusion_starts_at__lt=times.infusion_ends_at,
            infusion_ends_at__gt=times.infusion_starts_at,
        )
    )
    if ignore is not None:
        busy = busy.exclude(pk=ignore.pk)
    capacity = LocationSchedule.for_location(location).nurse_capacity
    if busy.count() >= capacity:
        return {"nurse": f"{nurse} already has {capacity} patient(s) infusing then."}
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
