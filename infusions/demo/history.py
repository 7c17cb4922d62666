"""The past visits of four mid-course patients at the demo site (dev only).

Each was booked a course of eight infusions two days apart, starting a week ago; the four
past visits ran in full (check-in to discharge, the same steps as today's board: see
infusions.demo.today) with the pain at discharge going down visit by visit; the other four
are ahead. Runs once: a patient with a course is left alone.
"""

import datetime
import zoneinfo

from django.utils import timezone

from clinic.models import Location
from patients.demo import stage_patients

PAST_VISITS = 4
PAIN_AT_DISCHARGE = [7, 6, 4, 3]
MID_COURSE = 4


def seed_history(site_code: str) -> list[str]:
    import time_machine  # dev only, like the whole seed

    from .today import _book_course, _Staff, _Visit

    site, staff, done, past = Location.objects.get(code=site_code), _Staff(), [], []
    zone = zoneinfo.ZoneInfo(site.time_zone)
    today = timezone.localdate(timezone.now(), zone)
    for index, patient in enumerate(stage_patients("improving")[:MID_COURSE]):
        if patient.courses.exists():
            continue
        first_day = today - datetime.timedelta(days=2 * PAST_VISITS - 1)
        start = datetime.datetime.combine(first_day, datetime.time(9 + index), zone)
        with time_machine.travel(start - datetime.timedelta(days=2), tick=False):
            course = _book_course(site, staff, patient, start, index)
        if course is None:
            done.append(f"no free chair and nurse for {patient.display_name}'s course")
            continue
        past += list(course.appointments.order_by("starts_at")[:PAST_VISITS])
        done.append(f"{PAST_VISITS} past visits of {patient.display_name}'s course")
    # In time order: the physician's authenticator takes each code once, in sequence.
    for appointment in sorted(past, key=lambda a: a.starts_at):
        visit = _Visit(appointment, staff, time_machine, appointment.starts_at + 4 * _HOUR)
        visit.pain_at_discharge = PAIN_AT_DISCHARGE[appointment.sequence - 1]
        visit.run("discharged")
    return done


_HOUR = datetime.timedelta(hours=1)
