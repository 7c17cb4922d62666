"""Demo chairs, opening hours, US holidays and nurse shifts at the three demo sites.
Idempotent; dev mode only (see seed_demo).

Irvine and San Diego keep office hours and close on US federal holidays. Costa Mesa is the
always-open demo site: open 00:00-23:59 every day, never closed, with two nurses on shift
all day, so whenever the demo starts there is a working day in progress there (README, The
demo clinic). Shifts and closed days have no service (the clinic admin keeps them in the
admin, which validates each row): the seed validates and saves them the same way.
Closed days are the site setting "closed on US federal holidays" (on for the office-hours
sites, off for Costa Mesa), read through scheduling.closures like every booking.
"""

import datetime

from django.utils import timezone

from clinic.models import Location, User

from .closures import closed_reason
from .models import (
    Chair,
    LocationSchedule,
    NurseShift,
    OpeningHours,
    VisitTemplate,
)
from .services import local_datetime

DEMO_SITE = "costa-mesa"
CHAIRS_PER_LOCATION = {"irvine": 4, "san-diego": 3, DEMO_SITE: 10}
OFFICE_HOURS = {day: (datetime.time(8), datetime.time(18)) for day in range(5)} | {
    5: (datetime.time(9), datetime.time(14))
}
ALL_DAY = {day: (datetime.time(0), datetime.time(23, 59)) for day in range(7)}
HOURS = {"irvine": OFFICE_HOURS, "san-diego": OFFICE_HOURS, DEMO_SITE: ALL_DAY}
# Two nurses at the demo site (the blind double-check needs a second nurse), one at each other.
NURSE_SITES = {"nurse": DEMO_SITE, "nurse2": DEMO_SITE, "nurse3": "irvine", "nurse4": "san-diego"}
SHIFT_DAYS_AHEAD = 42
NURSE_CAPACITY = {DEMO_SITE: 4}


def seed() -> list[str]:
    created = []
    _, made = VisitTemplate.objects.get_or_create(
        name="Standard visit",
        defaults={"prep_minutes": 20, "recovery_minutes": 45, "is_default": True},
    )
    if made:
        created.append("visit template")
    for code, count in CHAIRS_PER_LOCATION.items():
        location = Location.objects.get(code=code)
        # The office-hours sites close on US federal holidays (the site setting, read from
        # the holidays package); the always-open demo site never closes.
        schedule, _ = LocationSchedule.objects.get_or_create(
            location=location, defaults={"nurse_capacity": NURSE_CAPACITY.get(code, 1)}
        )
        if schedule.follows_federal_holidays != (code != DEMO_SITE):
            schedule.follows_federal_holidays = code != DEMO_SITE
            schedule.full_clean()
            schedule.save(update_fields=["follows_federal_holidays"])
        for weekday, (opens, closes) in HOURS[code].items():
            OpeningHours.objects.get_or_create(
                location=location, weekday=weekday,
                defaults={"opens_at": opens, "closes_at": closes},
            )  # fmt: skip
        for number in range(1, count + 1):
            _, made = Chair.objects.get_or_create(location=location, name=f"Chair {number}")
            if made:
                created.append(f"chair {location.name} {number}")
    created += _seed_shifts()
    created += _seed_consultations()
    return created


# Two website requests (patients.demo) the desk has called: one with a consultation booked
# for tomorrow at the always-open site, one whose booking the patient asked to cancel (back
# to "contacted", to book again). Skipped when the request already has a consultation.
CONSULTATIONS = [
    ("Derek Lam", 1, datetime.time(10), ""),
    ("Beth Sorensen", 2, datetime.time(11), "Patient asked to move it"),
]


def _seed_consultations() -> list[str]:
    from patients.models import ConsultationRequest
    from patients.services import contact_attempt_record

    from .services.consultations import consultation_book, consultation_cancel

    desk, physician = User.objects.get(username="frontdesk"), User.objects.get(username="physician")
    site, created = Location.objects.get(code=DEMO_SITE), []
    for name, days_ahead, at, cancel_reason in CONSULTATIONS:
        request = ConsultationRequest.objects.filter(name=name).first()
        if request is None or request.consultations.exists():
            continue
        if request.stage == "new":
            contact_attempt_record(
                request=request, channel="phone", outcome="reached", recorded_by=desk
            )
        day = timezone.localdate() + datetime.timedelta(days=days_ahead)
        consultation = consultation_book(
            request=request, location=site, physician=physician, mode="telehealth",
            starts_at=local_datetime(site, day, at),
            booked_by=desk,
        )  # fmt: skip
        created.append(f"consultation for {name}")
        if cancel_reason:
            consultation_cancel(consultation=consultation, cancelled_by=desk, reason=cancel_reason)
            created.append(f"cancelled consultation for {name}")
    return created


def open_hours(location: Location, day: datetime.date) -> tuple | None:
    """(opens, closes) of a demo site on a day, None when closed."""
    if closed_reason(location, day) is not None:
        return None
    return HOURS[location.code].get(day.weekday())


def _seed_shifts() -> list[str]:
    """A shift for every demo nurse on every open day of the weeks ahead at their site."""
    today, added = timezone.localdate(), 0
    for username, code in NURSE_SITES.items():
        nurse, location = User.objects.get(username=username), Location.objects.get(code=code)
        have = set(
            NurseShift.objects.filter(nurse=nurse, location=location).values_list(
                "starts_at", flat=True
            )
        )
        # The demo site's shifts reach back two weeks: the mid-course patients' past visits.
        for offset in range(-14 if code == DEMO_SITE else -1, SHIFT_DAYS_AHEAD):
            day = today + datetime.timedelta(days=offset)
            if (hours := open_hours(location, day)) is None:
                continue
            starts_at = local_datetime(location, day, hours[0])
            if starts_at in have:
                continue
            shift = NurseShift(
                nurse=nurse, location=location, starts_at=starts_at,
                ends_at=local_datetime(location, day, hours[1]),
            )  # fmt: skip
            shift.full_clean()
            shift.save()
            added += 1
    return [f"{added} nurse shifts"] if added else []
