"""Free slots for moving one session, the course's gap rule, and a make-up session's slot."""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from clinic.models import User

from ..closures import closed_reason
from ..models import (
    ACTIVE_STATUSES,
    Appointment,
    Chair,
    ChairOutOfService,
    LocationSchedule,
    NurseShift,
    OpeningHours,
)
from .board import SLOT_MINUTES
from .replan import visit_shape
from .scope import nurses_at

SLOT_STEP = datetime.timedelta(minutes=SLOT_MINUTES)


def course_gap_problem(
    appointment: Appointment, starts_at: datetime.datetime, siblings=None, rules=None
) -> dict[str, str] | None:
    """Would this session at ``starts_at`` sit too close to another of its course, or stretch
    the course past its window? ``siblings`` (the course's other active sessions) and the
    site's ``rules`` may be passed in when many times are tried."""
    if appointment.course_id is None:
        return None
    rules = rules or LocationSchedule.for_location(appointment.location)
    gap = datetime.timedelta(hours=rules.min_gap_hours)
    if siblings is None:
        siblings = list(
            appointment.course.appointments.filter(status__in=ACTIVE_STATUSES).exclude(
                pk=appointment.pk
            )
        )
    zone = appointment.location.zone
    for other in siblings:
        if abs(other.starts_at - starts_at) < gap:
            return {
                "starts_at": f"Less than {gap.total_seconds() / 3600:.0f} h from infusion "
                f"{other.sequence} on {other.starts_at.astimezone(zone):%m/%d %H:%M}."
            }
    starts = [other.starts_at for other in siblings] + [starts_at]
    if max(starts) - min(starts) > datetime.timedelta(days=rules.max_course_days):
        return {"starts_at": f"The course would no longer fit within {rules.max_course_days} days."}
    return None


@dataclass(frozen=True)
class FreeSlot:
    starts_at: datetime.datetime
    local_start: datetime.datetime  # the site's wall clock
    chair: Chair
    nurse: User

    @property
    def local_input(self) -> str:
        """The site's wall-clock time as a datetime-local input spells it."""
        return f"{self.local_start:%Y-%m-%dT%H:%M}"

    @property
    def value(self) -> str:
        """What a form posts back for this slot: local time, chair and nurse."""
        return f"{self.local_input}|{self.chair.pk}|{self.nurse.pk}"


def _overlaps(start, end, other_start, other_end) -> bool:
    return start < other_end and other_start < end


def free_slots(
    appointment: Appointment, day: datetime.date, shape: tuple | None = None
) -> tuple[list[FreeSlot], str]:
    """Where this session could move to on ``day`` (its own shape, or ``shape``: a make-up's,
    ``replan.visit_shape``): every 15 minutes the site is open for
    the whole visit, with a free chair (its own first) and a nurse on shift with room (its
    own first). The same rules as ``appointment_reschedule`` (hours, closed days, chair out
    of service or booked, the patient's other visits, nurse shift and capacity, the course's
    gap and window), read in a fixed number of queries; the reschedule re-checks them all
    under its locks, so a slot taken meanwhile is refused there.

    Returns the slots and, when there are none, why ("closed", "no hours").
    """
    location = appointment.location
    zone = location.zone
    if reason := closed_reason(location, day):
        return [], f"{location} is closed on {day:%m/%d/%Y} ({reason})."
    hours = OpeningHours.objects.filter(location=location, weekday=day.weekday()).first()
    if hours is None:
        return [], f"{location} is closed on {day:%A}s."
    opens = datetime.datetime.combine(day, hours.opens_at, tzinfo=zone)
    closes = datetime.datetime.combine(day, hours.closes_at, tzinfo=zone)
    length, infusion_offset, infusion_length = shape or (
        appointment.ends_at - appointment.starts_at,
        appointment.infusion_starts_at - appointment.starts_at,
        appointment.infusion_ends_at - appointment.infusion_starts_at,
    )

    chairs = list(Chair.objects.in_service().filter(location=location).order_by("name"))
    chairs.sort(key=lambda c: c.pk != appointment.chair_id)
    nurses = list(nurses_at(location))
    nurses.sort(key=lambda n: n.pk != appointment.nurse_id)
    shifts = list(
        NurseShift.objects.filter(location=location, nurse__in=nurses)
        .overlapping(opens, closes)
        .values_list("nurse_id", "starts_at", "ends_at")
    )
    outages = list(
        ChairOutOfService.objects.filter(
            chair__in=chairs, starts_at__lt=closes, ends_at__gt=opens
        ).values_list("chair_id", "starts_at", "ends_at")
    )
    others = list(
        Appointment.objects.active()
        .exclude(pk=appointment.pk)
        .filter(Q(location=location) | Q(patient_id=appointment.patient_id) | Q(nurse__in=nurses))
        .between(opens, closes)
        .only(
            "chair_id", "nurse_id", "patient_id", "starts_at", "ends_at",
            "infusion_starts_at", "infusion_ends_at",
        )
    )  # fmt: skip
    siblings = []
    if appointment.course_id:
        siblings = list(
            Appointment.objects.filter(course_id=appointment.course_id, status__in=ACTIVE_STATUSES)
            .exclude(pk=appointment.pk)
            .only("sequence", "starts_at")
        )
    rules = LocationSchedule.for_location(location)
    now = timezone.now()

    found: list[FreeSlot] = []
    moment = opens
    while moment + length <= closes:
        start = moment.astimezone(datetime.UTC)
        moment += SLOT_STEP
        end = start + length
        infusion_start = start + infusion_offset
        infusion_end = infusion_start + infusion_length
        if start <= now or start == appointment.starts_at:
            continue
        if course_gap_problem(appointment, start, siblings, rules):
            continue
        if any(
            o.patient_id == appointment.patient_id and _overlaps(start, end, o.starts_at, o.ends_at)
            for o in others
        ):
            continue
        chair = next(
            (
                c for c in chairs
                if not any(cid == c.pk and _overlaps(start, end, s, e) for cid, s, e in outages)
                and not any(
                    o.chair_id == c.pk and _overlaps(start, end, o.starts_at, o.ends_at)
                    for o in others
                )
            ),
            None,
        )  # fmt: skip
        if chair is None:
            continue
        nurse = next(
            (
                n for n in nurses
                if any(
                    nid == n.pk and s <= infusion_start and e >= infusion_end
                    for nid, s, e in shifts
                )
                and sum(
                    1 for o in others
                    if o.nurse_id == n.pk
                    and _overlaps(infusion_start, infusion_end, o.infusion_starts_at,
                                  o.infusion_ends_at)
                ) < rules.nurse_capacity
            ),
            None,
        )  # fmt: skip
        if nurse is None:
            continue
        found.append(FreeSlot(start, start.astimezone(zone), chair, nurse))
    if not found:
        return [], f"No free chair and nurse at {location} on {day:%a %m/%d/%Y}."
    return found, ""


def make_up_slot(cancelled: Appointment) -> tuple[FreeSlot | None, str]:
    """The first free slot for a make-up of a cancelled course session: on the first day
    after the course's last session (and its minimum gap) that has one, at the time nearest
    the cancelled session's time; within the course's window. Or None and why not."""
    location = cancelled.location
    zone = location.zone
    rules = LocationSchedule.for_location(location)
    starts = list(
        Appointment.objects.filter(course_id=cancelled.course_id, status__in=ACTIVE_STATUSES)
        .exclude(pk=cancelled.pk)
        .values_list("starts_at", flat=True)
    )
    first = min(starts, default=cancelled.starts_at)
    last = max(starts, default=cancelled.starts_at)
    gap = datetime.timedelta(hours=rules.min_gap_hours)
    today = timezone.localtime(timezone.now(), zone).date()
    day = max((last + gap).astimezone(zone).date(), today)
    window_end = (first + datetime.timedelta(days=rules.max_course_days)).astimezone(zone).date()
    wanted = cancelled.starts_at.astimezone(zone)
    wanted_minutes = wanted.hour * 60 + wanted.minute
    shape = visit_shape(cancelled)  # the protocol in force's infusion time, if it changed
    while day <= window_end:
        slots, _ = free_slots(cancelled, day, shape)
        if slots:
            best = min(
                slots,
                key=lambda s: abs(s.local_start.hour * 60 + s.local_start.minute - wanted_minutes),
            )
            return best, ""
        day += datetime.timedelta(days=1)
    return None, (
        f"No free time at {location} from the end of the course to {window_end:%a %m/%d/%Y}, "
        f"the last day of its {rules.max_course_days}-day window."
    )
