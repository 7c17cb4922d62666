"""Reading the waitlist: a user's entries, and who could take a freed chair."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from clinic.access import locations_for
from clinic.models import User
from patients.selectors import booking_blockers
from scheduling.models import (
    ACTIVE_STATUSES,
    MAX_VISIT,
    Appointment,
    AppointmentStatus,
    LocationSchedule,
)
from scheduling.selectors.slots import course_gap_problem
from scheduling.selectors.visits import CHANGEABLE

from .models import OfferRecipient, OfferStatusChange, WaitlistEntry, WaitlistOffer, Wish

FREED = (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)


def entries_for(user: User) -> QuerySet[WaitlistEntry]:
    """Waitlist entries at the user's sites, with what a list shows of them."""
    return WaitlistEntry.objects.filter(location__in=locations_for(user)).select_related(
        "patient", "location", "appointment", "appointment__chair", "created_by"
    )


def is_freed_ahead(appointment: Appointment) -> bool:
    """Cancelled or missed, and still ahead: its chair, nurse and time could be filled."""
    return appointment.status in FREED and appointment.starts_at > timezone.now()


def candidates_for_slot(freed: Appointment) -> list[WaitlistEntry]:
    """Active entries at the freed session's site that could take its time, chair and nurse,
    first come first served: the start fits the entry's days, weekdays and times on the site's
    wall clock; the patient is not busy then; a session moved earlier must really be earlier
    and keep its course's gap and window. None for a session still booked or already past.
    Four queries whatever the number of entries."""
    if not is_freed_ahead(freed):
        return []
    location = freed.location
    local_start = location.local(freed.starts_at)
    day, time = local_start.date(), local_start.time()
    fits = (
        (Q(earliest_date__isnull=True) | Q(earliest_date__lte=day))
        & (Q(latest_date__isnull=True) | Q(latest_date__gte=day))
        & (Q(weekdays=[]) | Q(weekdays__contains=[day.weekday()]))
        & (Q(earliest_time__isnull=True) | Q(earliest_time__lte=time))
        & (Q(latest_time__isnull=True) | Q(latest_time__gte=time))
    )
    sessions = Appointment.objects.filter(status__in=ACTIVE_STATUSES)
    entries = list(
        WaitlistEntry.objects.active()
        .filter(fits, location=location)
        .exclude(appointment=freed)
        .select_related(
            "patient",
            "appointment__course",
            "appointment__chair",
            "appointment__location",
            "created_by",
        )
        .prefetch_related(
            Prefetch("appointment__course__appointments", sessions, to_attr="active_sessions")
        )
        .order_by("created_at", "pk")
    )
    if not entries:
        return []
    busy = set(
        sessions.filter(patient__in={e.patient_id for e in entries})
        .between(freed.starts_at, freed.ends_at)
        .exclude(pk__in=[e.appointment_id for e in entries if e.appointment_id])
        .values_list("patient_id", flat=True)
    )
    rules = LocationSchedule.for_location(location)
    return [e for e in entries if e.patient_id not in busy and _may_move(e, freed, rules)]


def _may_move(entry: WaitlistEntry, freed: Appointment, rules) -> bool:
    if entry.wish != Wish.MOVE_EARLIER:
        return True
    session = entry.appointment
    if session.status not in CHANGEABLE or freed.starts_at >= session.starts_at:
        return False
    if session.course_id is None:
        return True
    siblings = [s for s in session.course.active_sessions if s.pk != session.pk]
    return course_gap_problem(session, freed.starts_at, siblings=siblings, rules=rules) is None


def freed_sessions(location, now, limit: int = 30) -> QuerySet[Appointment]:
    """Sessions of the site cancelled or missed ahead of time whose chair is still free at
    that time (nothing active booked over it since, no make-up in its place): the chairs the
    waitlist could fill, soonest first."""
    rebooked = _rebooked()
    return (
        Appointment.objects.filter(
            location=location,
            status__in=FREED,
            starts_at__gt=now,
            made_up_by__isnull=True,
        )
        .exclude(Exists(rebooked))
        .select_related("patient", "chair", "nurse", "location")
        .order_by("starts_at")[:limit]
    )


def _rebooked():
    """Active visits over the outer visit's chair and time (the lower bound as in
    ``AppointmentQuerySet.between``: not the chair's every visit before it)."""
    return Appointment.objects.filter(
        chair=OuterRef("chair"),
        status__in=ACTIVE_STATUSES,
        starts_at__lt=OuterRef("ends_at"),
        starts_at__gt=OuterRef("starts_at") - MAX_VISIT,
        ends_at__gt=OuterRef("starts_at"),
    )


def chair_still_free(freed: Appointment) -> bool:
    """Freed ahead of time and nobody booked into its chair and time since (no make-up)."""
    if not is_freed_ahead(freed):
        return False
    if Appointment.objects.filter(makes_up_for=freed).exists():
        return False
    return not (
        Appointment.objects.filter(chair=freed.chair_id, status__in=ACTIVE_STATUSES)
        .between(freed.starts_at, freed.ends_at)
        .exists()
    )


def offer_candidates(freed: Appointment) -> list[WaitlistEntry]:
    """Who may be offered the freed chair by link: the candidates (``candidates_for_slot``)
    who want a booked session moved earlier (a new patient's course is planned whole at the
    desk) and whom nothing keeps from being booked now (``booking_blockers``: screening,
    clearance, escort). First come first served."""
    return [
        entry
        for entry in candidates_for_slot(freed)
        if entry.wish == Wish.MOVE_EARLIER and not booking_blockers(entry.patient)
    ]


def offers_for(user: User) -> QuerySet[WaitlistOffer]:
    """Offers at the user's sites, with their freed session and recipients."""
    return (
        WaitlistOffer.objects.filter(location__in=locations_for(user))
        .select_related("freed__chair", "freed__nurse", "location", "made_by")
        .prefetch_related(
            Prefetch(
                "recipients",
                OfferRecipient.objects.select_related("patient", "entry__appointment"),
            ),
            Prefetch("status_changes", OfferStatusChange.objects.select_related("changed_by")),
        )
    )


def fillable_chairs_count(user: User, now) -> int:
    """Freed chairs ahead at the user's sites, still free, with someone waiting at that site
    to move earlier: the desk's "chairs to fill" count (one query)."""
    waiting = WaitlistEntry.objects.active().filter(
        location=OuterRef("location"), wish=Wish.MOVE_EARLIER
    )
    return (
        Appointment.objects.filter(
            location__in=locations_for(user),
            status__in=FREED,
            starts_at__gt=now,
            made_up_by__isnull=True,
        )
        .exclude(Exists(_rebooked()))
        .filter(Exists(waiting))
        .count()
    )
