"""The waitlist's writes: put a patient on it, take them off, fill an entry with a slot.

Filling books nothing itself: a session moved earlier goes through scheduling's own
``appointment_reschedule`` (every booking rule is checked there again, under its locks), and
a new patient's first course is booked through the planner as always; the entry only records
which session filled it.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.access import locations_for, require_role
from clinic.errors import ConflictError
from clinic.models import Location, User
from clinic.roles import DESK
from clinic.transitions import NEW
from patients.models import Patient
from patients.selectors import booking_blockers
from scheduling.models import Appointment, Chair
from scheduling.selectors.visits import CHANGEABLE
from scheduling.services import appointment_reschedule

from ..models import ALLOWED, WaitlistEntry, WaitlistStatus, WaitlistStatusChange, Wish

S = WaitlistStatus
FILL_REASON = "Moved earlier from the waitlist"


def _record(entry: WaitlistEntry, from_status: str, to_status: str, by: User, reason="") -> None:
    WaitlistStatusChange.objects.create(
        entry=entry, from_status=from_status, to_status=to_status, changed_by=by, reason=reason
    )


def _appointment_problem(patient: Patient, location: Location, appointment) -> str | None:
    if appointment is None:
        return "Pick the booked session to move earlier."
    if appointment.patient_id != patient.pk:
        return "This session is not the patient's."
    if appointment.location_id != location.pk:
        return "This session is at another site."
    if appointment.status not in CHANGEABLE:
        return "Only a scheduled or confirmed session can be moved earlier."
    return None


@transaction.atomic
def waitlist_add(
    *,
    patient: Patient,
    location: Location,
    wish: str,
    by: User,
    appointment: Appointment | None = None,
    earliest_date: datetime.date | None = None,
    latest_date: datetime.date | None = None,
    weekdays: list[int] | tuple[int, ...] = (),
    earliest_time: datetime.time | None = None,
    latest_time: datetime.time | None = None,
    note: str = "",
) -> WaitlistEntry:
    """Put a bookable patient on a site's waitlist; one active entry per wish (and session)."""
    require_role(by, *DESK, doing="put patients on the waitlist")
    if not locations_for(by).filter(pk=location.pk).exists():
        raise ValidationError({"location": "This site is not one of yours."})
    # Serialise adds for one patient, so the duplicate check below cannot race.
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if blockers := booking_blockers(patient):
        raise ValidationError({"patient": blockers})
    if wish == Wish.MOVE_EARLIER:
        if problem := _appointment_problem(patient, location, appointment):
            raise ValidationError({"appointment": problem})
        waiting = WaitlistEntry.objects.active().filter(appointment=appointment)
        taken = "This session is already on the waitlist."
    else:
        appointment = None
        waiting = WaitlistEntry.objects.active().filter(
            patient=patient, location=location, wish=wish, appointment=None
        )
        taken = "The patient is already on this site's waitlist for this."
    if waiting.exists():
        raise ValidationError({"wish": taken})
    if latest_date is not None and latest_date < (today := location.today()):
        raise ValidationError({"latest_date": (
            f"The last day, {latest_date:%m/%d/%Y}, has passed (today is {today:%m/%d/%Y} at "
            f"{location}): no chair could be offered in it."
        )})  # fmt: skip
    entry = WaitlistEntry(
        patient=patient, location=location, wish=wish, appointment=appointment,
        earliest_date=earliest_date, latest_date=latest_date, weekdays=sorted(set(weekdays)),
        earliest_time=earliest_time, latest_time=latest_time, note=note.strip(),
        status=S.ACTIVE, created_by=by,
    )  # fmt: skip
    entry.full_clean(validate_constraints=False)
    entry.save()
    _record(entry, ALLOWED.check(NEW, S.ACTIVE), S.ACTIVE, by)
    return entry


def _locked(entry: WaitlistEntry) -> WaitlistEntry:
    return (
        WaitlistEntry.objects.select_for_update(of=("self",))
        .select_related("patient", "location", "appointment")
        .get(pk=entry.pk)
    )


def _still_active(entry: WaitlistEntry) -> None:
    """A second desk user acting on an entry the first has just closed: a conflict."""
    if entry.status != S.ACTIVE:
        raise ConflictError(
            {"status": f"This waitlist entry was already {entry.get_status_display().lower()}."}
        )


@transaction.atomic
def waitlist_withdraw(*, entry: WaitlistEntry, by: User, reason: str) -> WaitlistEntry:
    """Take a patient off the waitlist, saying why."""
    require_role(by, *DESK, doing="take patients off the waitlist")
    entry = _locked(entry)
    _still_active(entry)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the patient leaves the waitlist."})
    from_status = ALLOWED.check(entry, S.WITHDRAWN)
    entry.status = S.WITHDRAWN
    entry.save(update_fields=["status"])
    _record(entry, from_status, S.WITHDRAWN, by, reason.strip())
    return entry


@transaction.atomic
def waitlist_fill(
    *,
    entry: WaitlistEntry,
    by: User,
    starts_at: datetime.datetime | None = None,
    chair: Chair | None = None,
    nurse: User | None = None,
    appointment: Appointment | None = None,
    reason: str = FILL_REASON,
) -> WaitlistEntry:
    """Fill an active entry.

    Move earlier: the entry's session moves to ``starts_at`` (with ``chair`` and ``nurse``,
    usually a cancelled session's) through ``appointment_reschedule``, which checks every
    booking rule again. Start sooner: the course was booked through the planner; pass its
    first session as ``appointment``. Two desk users filling one entry at once: the entry
    row is locked, the second gets a ConflictError and nothing is booked twice.
    """
    require_role(by, *DESK, doing="fill a chair from the waitlist")
    entry = _locked(entry)
    _still_active(entry)
    ALLOWED.check(entry, S.FILLED)
    if entry.wish == Wish.MOVE_EARLIER:
        filled_with = _move_earlier(entry, by, starts_at, chair, nurse, reason)
    else:
        filled_with = _first_session(entry, appointment)
    entry.status, entry.filled_with = S.FILLED, filled_with
    entry.save(update_fields=["status", "filled_with"])
    _record(entry, S.ACTIVE, S.FILLED, by, reason if reason != FILL_REASON else "")
    return entry


def _move_earlier(entry, by, starts_at, chair, nurse, reason) -> Appointment:
    if starts_at is None:
        raise ValidationError({"starts_at": "Give the earlier time to move the session to."})
    session = entry.appointment
    if session.status not in CHANGEABLE:
        raise ValidationError({"appointment": "The session is no longer scheduled."})
    if starts_at >= session.starts_at:
        raise ValidationError({"starts_at": "This time is not earlier than the booked session."})
    return appointment_reschedule(
        appointment=session, starts_at=starts_at, changed_by=by, chair=chair, nurse=nurse,
        reason=reason,
    )  # fmt: skip


def _first_session(entry, appointment) -> Appointment:
    if appointment is None:
        raise ValidationError({"appointment": "Give the first session of the booked course."})
    if appointment.patient_id != entry.patient_id or appointment.location_id != entry.location_id:
        raise ValidationError({"appointment": "This session is not the patient's at this site."})
    if appointment.status not in CHANGEABLE:
        raise ValidationError({"appointment": "This session is not scheduled."})
    return appointment
