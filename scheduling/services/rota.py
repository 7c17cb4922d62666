"""The weekly nurse rota of a site: one shift per nurse and day, set, cleared, copied.

Times are the site's wall clock. A nurse never has two overlapping shifts (at any site), a
shift is never set on a day the site is closed, and a shift that booked infusions rely on
is neither cleared nor shortened away from under them.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.access import require_role
from clinic.errors import ConflictError
from clinic.models import Location, User
from clinic.roles import ADMINS, Role

from ..closures import closed_reason
from ..models import NurseShift
from ..selectors.visits import appointments_in_shift
from .slots import local, local_datetime

ROTA = ADMINS
MAX_REPEAT_WEEKS = 12


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s week."""
    return day - datetime.timedelta(days=day.weekday())


def shifts_starting_on(location: Location, day: datetime.date, nurse: User | None = None):
    start = local_datetime(location, day, datetime.time.min)
    end = local_datetime(location, day + datetime.timedelta(days=1), datetime.time.min)
    shifts = NurseShift.objects.filter(location=location, starts_at__gte=start, starts_at__lt=end)
    return shifts.filter(nurse=nurse) if nurse is not None else shifts


def _relied_on(shift: NurseShift, starts_at=None, ends_at=None) -> int:
    """Booked infusions in ``shift`` that a new [starts_at, ends_at) would not cover."""
    booked = appointments_in_shift(shift)
    if starts_at is not None:
        return sum(
            1 for a in booked
            if not (starts_at <= a.infusion_starts_at and a.infusion_ends_at <= ends_at)
        )  # fmt: skip
    return booked.count()


def _shift_problems(location, nurse, day, starts_at, ends_at, ignore) -> dict[str, str]:
    if not nurse.is_active or not nurse.has_role(Role.NURSE):
        return {"nurse": f"{nurse} is not an active nurse."}
    if not nurse.locations.filter(pk=location.pk).exists():
        return {"nurse": f"{nurse} does not work at {location}."}
    if day < local(location, timezone.now()).date():
        return {"starts_at": f"{day:%a %m/%d} has already passed."}
    if reason := closed_reason(location, day):
        return {"starts_at": f"{location} is closed on {day:%a %m/%d} ({reason})."}
    open_days = set(location.opening_hours.values_list("weekday", flat=True))
    if open_days and day.weekday() not in open_days:  # (no hours set up yet: not judged)
        return {"starts_at": f"{location} is not open on {day:%A}s (its opening hours): "
                             "nobody can be booked for the nurse to see."}  # fmt: skip
    if starts_at >= ends_at:
        return {"ends_at": "A shift must end after it starts."}
    overlapping = (
        NurseShift.objects.filter(nurse=nurse)
        .overlapping(starts_at, ends_at)
        .exclude(pk=getattr(ignore, "pk", None))
    )
    if clash := overlapping.select_related("location").first():
        when = local(clash.location, clash.starts_at)
        return {"starts_at": f"{nurse} already works at {clash.location} then ({when:%a %H:%M})."}
    return {}


@transaction.atomic
def shift_set(
    *,
    actor: User,
    location: Location,
    nurse: User,
    day: datetime.date,
    starts: datetime.time,
    ends: datetime.time,
) -> NurseShift:
    """The nurse's shift at the site on ``day`` (replacing the one already there)."""
    require_role(actor, *ROTA, doing="change the nurse rota")
    existing = shifts_starting_on(location, day, nurse).select_for_update().first()
    starts_at = local_datetime(location, day, starts)
    ends_at = local_datetime(location, day, ends)
    if problems := _shift_problems(location, nurse, day, starts_at, ends_at, existing):
        raise ValidationError(problems)
    if existing is not None:
        if lost := _relied_on(existing, starts_at, ends_at):
            raise ConflictError(
                {"starts_at": f"{lost} booked infusion(s) rely on {nurse}'s current shift "
                              "outside the new times; move them first."}
            )  # fmt: skip
    shift = existing or NurseShift(nurse=nurse, location=location)
    shift.starts_at, shift.ends_at = starts_at, ends_at
    shift.full_clean()
    shift.save()
    return shift


@transaction.atomic
def shift_add(
    *,
    actor: User,
    location: Location,
    nurse: User,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
) -> NurseShift:
    """A shift by its exact times (the API's door); same rules as the rota grid."""
    require_role(actor, *ROTA, doing="change the nurse rota")
    shift = NurseShift(nurse=nurse, location=location, starts_at=starts_at, ends_at=ends_at)
    shift.full_clean()
    day = local(location, starts_at).date()
    if problems := _shift_problems(location, nurse, day, starts_at, ends_at, None):
        raise ValidationError(problems)
    shift.save()
    return shift


@transaction.atomic
def shift_clear(*, actor: User, shift: NurseShift) -> None:
    require_role(actor, *ROTA, doing="change the nurse rota")
    shift = NurseShift.objects.select_for_update().get(pk=shift.pk)
    if booked := _relied_on(shift):
        raise ConflictError(
            {"nurse": f"{shift.nurse} has {booked} booked infusion(s) in this shift; "
                      "move them first."}
        )  # fmt: skip
    shift.delete()


@dataclass
class CopyResult:
    created: list[NurseShift] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # why a shift was not copied


def _copy_week(actor, location, source_monday, target_monday, result: CopyResult) -> None:
    offset = target_monday - source_monday
    end = local_datetime(location, source_monday + datetime.timedelta(days=7), datetime.time.min)
    source = NurseShift.objects.filter(
        location=location,
        starts_at__gte=local_datetime(location, source_monday, datetime.time.min),
        starts_at__lt=end,
    ).select_related("nurse")
    for shift in source.order_by("starts_at"):
        start, finish = local(location, shift.starts_at), local(location, shift.ends_at)
        day = start.date() + offset
        if shifts_starting_on(location, day, shift.nurse).exists():
            result.skipped.append(f"{day:%a %m/%d} {shift.nurse}: already has a shift")
            continue
        ends_at = local_datetime(location, finish.date() + offset, finish.time())
        starts_at = local_datetime(location, day, start.time())
        problems = _shift_problems(location, shift.nurse, day, starts_at, ends_at, None)
        if problems:
            result.skipped.append(f"{day:%a %m/%d} {shift.nurse}: {next(iter(problems.values()))}")
            continue
        copy = NurseShift(
            nurse=shift.nurse, location=location, starts_at=starts_at, ends_at=ends_at
        )
        copy.full_clean()
        copy.save()
        result.created.append(copy)


@transaction.atomic
def week_copy_previous(*, actor: User, location: Location, monday: datetime.date) -> CopyResult:
    """Copy last week's shifts into the week of ``monday``; cells already set are kept."""
    require_role(actor, *ROTA, doing="change the nurse rota")
    monday = week_start(monday)
    result = CopyResult()
    _copy_week(actor, location, monday - datetime.timedelta(days=7), monday, result)
    return result


@transaction.atomic
def week_repeat(
    *, actor: User, location: Location, monday: datetime.date, weeks: int
) -> CopyResult:
    """Repeat the week of ``monday`` for the next ``weeks`` weeks (1 to 12)."""
    require_role(actor, *ROTA, doing="change the nurse rota")
    if not 1 <= weeks <= MAX_REPEAT_WEEKS:
        raise ValidationError({"weeks": f"Repeat for 1 to {MAX_REPEAT_WEEKS} weeks."})
    monday = week_start(monday)
    result = CopyResult()
    for n in range(1, weeks + 1):
        _copy_week(actor, location, monday, monday + datetime.timedelta(weeks=n), result)
    return result
