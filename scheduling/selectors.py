"""Reads that span scheduling models. Callers never add their own joins.

The day board and the week view each cost one location query (with that day's hours and
closure folded in as subqueries), one chairs query and one appointments query, however
many chairs and appointments a site has.
"""

import datetime
import math
from dataclasses import dataclass, field
from itertools import groupby
from zoneinfo import ZoneInfo

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from clinic.access import locations_for
from clinic.models import Location, User
from clinic.roles import Role
from clinic.worklist import WorkItem

from .closures import closed_reason
from .models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    CalendarFeed,
    Chair,
    ChairOutOfService,
    ClosedDay,
    Course,
    LocationSchedule,
    NurseShift,
    OpeningHours,
)

SLOT_MINUTES = 15
DEFAULT_HOURS = (datetime.time(8), datetime.time(18))  # the grid shown on a closed day


def board_chairs_for(user: User) -> list[tuple]:
    """The in-service chairs of the user's sites, grouped by site."""
    chairs = (
        Chair.objects.in_service()
        .at_locations(locations_for(user))
        .select_related("location")
        .order_by("location__name", "name")
    )
    return [
        (location, list(group)) for location, group in groupby(chairs, key=lambda c: c.location)
    ]


def appointments_for(user: User) -> QuerySet[Appointment]:
    """Appointments at the user's sites, with what a screen shows of them."""
    return Appointment.objects.filter(location__in=locations_for(user)).for_board()


def courses_for(user: User) -> QuerySet[Course]:
    return Course.objects.filter(location__in=locations_for(user)).select_related(
        "patient", "location", "protocol"
    )


def nurses_at(location: Location) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, locations=location, groups__name=Role.NURSE.label
    ).order_by("last_name", "first_name", "username")


def location_on_day(user: User, location_pk, day: datetime.date) -> tuple[Location, list]:
    """The chosen site (or the user's first) with that day's hours and closure annotated,
    and every site the user may switch to. One query."""
    weekday = OpeningHours.objects.filter(location=OuterRef("pk"), weekday=day.weekday())
    closed = ClosedDay.objects.filter(Q(location=OuterRef("pk")) | Q(location=None), date=day)
    sites = list(
        locations_for(user).annotate(
            opens_at=Subquery(weekday.values("opens_at")[:1]),
            closes_at=Subquery(weekday.values("closes_at")[:1]),
            closed_reason=Subquery(closed.values("reason")[:1]),
        )
    )
    if not sites:
        raise Http404("You are not assigned to any site.")
    chosen = next((s for s in sites if str(s.pk) == str(location_pk)), None)
    if location_pk and chosen is None:
        raise Http404("No such site.")
    return chosen or sites[0], sites


# --- The day board ---------------------------------------------------------------------------


@dataclass
class Block:
    """An appointment placed on the board's 15-minute grid (columns are 1-based)."""

    appointment: Appointment
    column: int
    span: int


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

    @property
    def hours(self) -> list[tuple[int, int, datetime.datetime]]:
        """Grid column, span and time of each full hour, for the time axis and grid lines."""
        step = datetime.timedelta(minutes=SLOT_MINUTES)
        per_hour = 60 // SLOT_MINUTES
        marks = []
        for index in range(self.slots):
            moment = self.starts_at + index * step
            if moment.minute == 0:
                marks.append((index + 1, min(per_hour, self.slots - index), moment))
        return marks


def _local_midnight(location: Location, day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=ZoneInfo(location.time_zone))


def _slot(moment: datetime.datetime, origin: datetime.datetime, rounding) -> int:
    return int(rounding((moment - origin).total_seconds() / 60 / SLOT_MINUTES))


def _chairs(location: Location) -> list[Chair]:
    return list(Chair.objects.in_service().filter(location=location).order_by("name"))


def _day_window(location, day, opens_at, closes_at, appointments):
    """Opening hours of the day, widened to show any appointment booked outside them."""
    opens_at, closes_at = (opens_at, closes_at) if opens_at else DEFAULT_HOURS
    tz = ZoneInfo(location.time_zone)
    start = datetime.datetime.combine(day, opens_at, tzinfo=tz)
    end = datetime.datetime.combine(day, closes_at, tzinfo=tz)
    midnight = _local_midnight(location, day)
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
    midnight = _local_midnight(location, day)
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
    first = max(_slot(appointment.starts_at, origin, math.floor), 0)
    after = min(_slot(appointment.ends_at, origin, math.ceil), slots)
    return Block(appointment, first + 1, max(after - first, 1))


def board_origin(location: Location, appointment: Appointment) -> tuple[datetime.datetime, int]:
    """The grid an appointment's block sits on, to re-render one block after a change."""
    day = appointment.starts_at.astimezone(ZoneInfo(location.time_zone)).date()
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
    start = _local_midnight(location, monday)
    end = _local_midnight(location, monday + datetime.timedelta(days=7))
    tz = ZoneInfo(location.time_zone)
    rows = {chair.pk: WeekRow(chair, [[] for _ in days]) for chair in chairs}
    appointments = Appointment.objects.active().at_location(location).between(start, end)
    for appointment in appointments.for_board():
        row = rows.get(appointment.chair_id)
        offset = (appointment.starts_at.astimezone(tz).date() - monday).days
        if row is not None and 0 <= offset < 7:
            row.days[offset].append(appointment)
    return days, list(rows.values())


# --- A patient's courses ---------------------------------------------------------------------


def patient_courses(patient) -> list[Course]:
    """The patient's courses, newest first, each with its appointments and progress."""
    appointments = Appointment.objects.select_related(
        "chair", "nurse", "location", "makes_up_for", "made_up_by"
    ).order_by("starts_at")
    return list(
        patient.courses.select_related("location", "protocol")
        .annotate(
            done=Count("appointments", filter=Q(appointments__status=AppointmentStatus.COMPLETED))
        )
        .prefetch_related(Prefetch("appointments", queryset=appointments))
    )


def live_feed(patient) -> CalendarFeed | None:
    return patient.calendar_feeds.filter(revoked_at=None).first()


CHANGEABLE = (AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED)


def nurse_day(nurse: User, day: datetime.date) -> list[Appointment]:
    """A nurse's own active appointments on a local day, in time order."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    return list(
        Appointment.objects.active()
        .filter(nurse=nurse)
        .between(start, end)
        .select_related("patient", "chair", "location", "course")
        .order_by("starts_at")
    )


def todays_patients(user: User) -> list[Appointment]:
    """Today's visits (each site's own today) at the user's sites, in arrival order."""
    window = Q()
    for location in locations_for(user):
        today = timezone.localtime(timezone=ZoneInfo(location.time_zone)).date()
        start = _local_midnight(location, today)
        window |= Q(
            location=location,
            starts_at__gte=start,
            starts_at__lt=start + datetime.timedelta(days=1),
        )
    if not window:
        return []
    return list(Appointment.objects.active().filter(window).for_board().select_related("location"))


def appointments_in_shift(shift: NurseShift) -> QuerySet[Appointment]:
    """Active appointments that rely on this shift: its nurse infusing at its site then."""
    return Appointment.objects.filter(
        nurse=shift.nurse_id,
        location=shift.location_id,
        status__in=ACTIVE_STATUSES,
        infusion_starts_at__lt=shift.ends_at,
        infusion_ends_at__gt=shift.starts_at,
    )


# --- Free slots for moving one session ------------------------------------------------------

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
    zone = ZoneInfo(appointment.location.time_zone)
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


def free_slots(appointment: Appointment, day: datetime.date) -> tuple[list[FreeSlot], str]:
    """Where this session could move to on ``day``: every 15 minutes the site is open for
    the whole visit, with a free chair (its own first) and a nurse on shift with room (its
    own first). The same rules as ``appointment_reschedule`` (hours, closed days, chair out
    of service or booked, the patient's other visits, nurse shift and capacity, the course's
    gap and window), read in a fixed number of queries; the reschedule re-checks them all
    under its locks, so a slot taken meanwhile is refused there.

    Returns the slots and, when there are none, why ("closed", "no hours").
    """
    location = appointment.location
    zone = ZoneInfo(location.time_zone)
    if reason := closed_reason(location, day):
        return [], f"{location} is closed on {day:%m/%d/%Y} ({reason})."
    hours = OpeningHours.objects.filter(location=location, weekday=day.weekday()).first()
    if hours is None:
        return [], f"{location} is closed on {day:%A}s."
    opens = datetime.datetime.combine(day, hours.opens_at, tzinfo=zone)
    closes = datetime.datetime.combine(day, hours.closes_at, tzinfo=zone)
    length = appointment.ends_at - appointment.starts_at
    infusion_offset = appointment.infusion_starts_at - appointment.starts_at
    infusion_length = appointment.infusion_ends_at - appointment.infusion_starts_at

    chairs = list(Chair.objects.in_service().filter(location=location).order_by("name"))
    chairs.sort(key=lambda c: c.pk != appointment.chair_id)
    nurses = list(nurses_at(location))
    nurses.sort(key=lambda n: n.pk != appointment.nurse_id)
    shifts = list(
        NurseShift.objects.filter(
            location=location, nurse__in=nurses, starts_at__lt=closes, ends_at__gt=opens
        ).values_list("nurse_id", "starts_at", "ends_at")
    )
    outages = list(
        ChairOutOfService.objects.filter(
            chair__in=chairs, starts_at__lt=closes, ends_at__gt=opens
        ).values_list("chair_id", "starts_at", "ends_at")
    )
    others = list(
        Appointment.objects.active()
        .exclude(pk=appointment.pk)
        .filter(
            Q(location=location) | Q(patient_id=appointment.patient_id) | Q(nurse__in=nurses),
            starts_at__lt=closes,
            ends_at__gt=opens,
        )
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
    zone = ZoneInfo(location.time_zone)
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
    while day <= window_end:
        slots, _ = free_slots(cancelled, day)
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


# --- Work waiting on the front desk's and clinic admin's homes -------------------------------


def open_requests_for(user: User) -> QuerySet:
    """Website consultation requests not yet contacted, at the user's sites."""
    from patients.models import ConsultationRequest

    return ConsultationRequest.objects.filter(
        preferred_location__in=locations_for(user), status=ConsultationRequest.Status.OPEN
    )


def desk_work_waiting(user: User) -> list[WorkItem]:
    """The front desk's counts: requests to call back, escorts to confirm for tomorrow,
    reminders that failed for today's and tomorrow's visits. A few count queries."""
    from .reminders.selectors import failed_reminders_for, unconfirmed_tomorrow_for

    return [
        WorkItem("requests_not_contacted", "Website requests to call back",
                 open_requests_for(user).count(), reverse("patients:consultations")),
        WorkItem("escorts_tomorrow", "Escorts to confirm for tomorrow",
                 unconfirmed_tomorrow_for(user).count(),
                 reverse("reminders:follow_up") + "?day=tomorrow"),
        WorkItem("failed_reminders", "Reminders that failed",
                 failed_reminders_for(user).count(), reverse("reminders:dashboard")),
    ]  # fmt: skip


def sites_without_shifts_next_week(user: User) -> list[Location]:
    """The user's sites open next week with no nurse shift in it: nothing can be booked."""
    start = timezone.now()
    end = start + datetime.timedelta(days=7)
    covered = NurseShift.objects.filter(starts_at__lt=end, ends_at__gt=start).values("location")
    return list(
        locations_for(user)
        .filter(opening_hours__isnull=False)
        .exclude(pk__in=covered)
        .distinct()
        .order_by("name")
    )


def admin_work_waiting(user: User) -> list[WorkItem]:
    """The clinic admin's counts: sites nobody can be booked at next week, and the desk's."""
    bare = sites_without_shifts_next_week(user)
    rota = reverse("scheduling:rota") + (f"?location={bare[0].pk}" if bare else "")
    return [
        WorkItem("sites_without_shifts", "Sites with no nurse shifts next week", len(bare), rota),
        *desk_work_waiting(user),
    ]
