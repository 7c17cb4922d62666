"""The shape of the scale network, in plain Python (no database): its size, each site's
open days and chair times, the nurse rota, and the courses that fill the chairs.

How the chairs are filled without ever double-booking (the exclusion constraints would
refuse it anyway): a chair's day has six visit slots of 105 minutes (20 preparation + the
40-minute infusion + 45 recovery). A "lane" is one chair, one slot and every other open day
(even or odd), so two visits in a lane are at least two days apart (the 24 h minimum gap)
and a course of 8-12 infusions is a run of consecutive lane days within 28 days. Courses
follow each other along a lane, so no two share a chair slot. Two chairs share a nurse: the
second chair's slots start 52 minutes after the first's, so the nurse's two infusions
([+20, +60) and [+72, +112) minutes) never overlap (nurse capacity 1). A patient gets a new
course only after their previous one has ended, so a patient is never in two chairs at once.
"""

import datetime
import math
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("America/Los_Angeles")
PREP_MINUTES, INFUSION_MINUTES, RECOVERY_MINUTES = 20, 40, 45
VISIT_MINUTES = PREP_MINUTES + INFUSION_MINUTES + RECOVERY_MINUTES
SLOTS_PER_DAY = 6
OPENS, CLOSES = datetime.time(7, 30), datetime.time(19, 30)
SHIFT_STARTS, SHIFT_ENDS = datetime.time(7, 0), datetime.time(20, 0)
OPEN_WEEKDAYS = range(6)  # Monday to Saturday
SECOND_CHAIR_OFFSET = 52  # minutes: the pair's infusions never overlap
MAX_COURSE_DAYS = 28
BOOK_AHEAD_DAYS = 14  # courses start at most this far ahead of today
FULL = {"sites": 10, "chairs": 10, "patients": 100_000, "days": 5 * 365 + 1}


@dataclass(frozen=True)
class Size:
    sites: int = FULL["sites"]
    chairs: int = FULL["chairs"]
    patients: int = FULL["patients"]
    days: int = FULL["days"]  # of history, ending today
    seed: int = 16

    @classmethod
    def scaled(cls, factor: float, **overrides) -> "Size":
        """``factor`` of the full network's patients and history (sites and chairs stay)."""
        base = {
            "patients": max(1, round(FULL["patients"] * factor)),
            "days": max(7, round(FULL["days"] * factor)),
        }
        base.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**base)

    @property
    def pairs(self) -> int:
        return math.ceil(self.chairs / 2)

    @property
    def nurses_per_site(self) -> int:
        return max(self.pairs, 2) + 3

    @property
    def lanes_per_site(self) -> int:
        return self.chairs * SLOTS_PER_DAY * 2

    def patients_at(self, site: int) -> int:
        """Patients whose home is site ``site`` (0-based): an even share."""
        share, extra = divmod(self.patients, self.sites)
        return share + (1 if site < extra else 0)


def open_days(first: datetime.date, last: datetime.date, closed: set) -> list[datetime.date]:
    days, day = [], first
    while day <= last:
        if day.weekday() in OPEN_WEEKDAYS and day not in closed:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def local(day: datetime.date, time: datetime.time, minutes: int = 0) -> datetime.datetime:
    """A wall-clock time at a site (all scale sites are in Southern California)."""
    moment = datetime.datetime.combine(day, time, tzinfo=ZONE)
    return (moment + datetime.timedelta(minutes=minutes)).astimezone(datetime.UTC)


def visit_start(day: datetime.date, chair: int, slot: int) -> datetime.datetime:
    offset = (chair % 2) * SECOND_CHAIR_OFFSET + slot * VISIT_MINUTES
    # Wall-clock arithmetic: 07:30 + offset on that day, whatever the DST state.
    moment = datetime.datetime.combine(day, OPENS) + datetime.timedelta(minutes=offset)
    return moment.replace(tzinfo=ZONE).astimezone(datetime.UTC)


def on_duty(size: Size, day_index: int) -> list[int]:
    """The nurses (indexes into the site's nurses) on shift on the site's open day
    ``day_index``; on_duty[q] looks after chair pair q, on_duty[q + 1] is their witness."""
    count = max(size.pairs, 2)
    start = day_index * count
    return [(start + n) % size.nurses_per_site for n in range(count)]


@dataclass
class Course:
    chair: int
    slot: int
    days: list  # of (open-day index, date)
    patient: int = -1  # index among the site's patients
    sessions: list = field(default_factory=list)


def courses_for_site(size: Size, days: list[datetime.date], today: datetime.date, rng):
    """The site's courses, earliest first, each on one lane."""
    last_start = today + datetime.timedelta(days=BOOK_AHEAD_DAYS)
    courses = []
    for chair in range(size.chairs):
        for slot in range(SLOTS_PER_DAY):
            for parity in (0, 1):
                lane = list(enumerate(days))[parity::2]
                position = rng.randrange(3)
                while position < len(lane) and lane[position][1] <= last_start:
                    take = lane[position : position + rng.randint(8, 12)]
                    while len(take) > 8 and (take[-1][1] - take[0][1]).days >= MAX_COURSE_DAYS:
                        take.pop()
                    if len(take) < 8:
                        break  # the window ends before a whole course fits
                    courses.append(Course(chair=chair, slot=slot, days=take))
                    position += len(take) + rng.choice((0, 0, 0, 0, 1))
    courses.sort(key=lambda course: (course.days[0][1], course.chair, course.slot))
    return courses


def assign_patients(courses: list[Course], patients: int) -> None:
    """Give each course a patient, round robin, skipping anyone still mid-course."""
    free_from = [datetime.date.min] * patients
    pointer = 0
    for course in courses:
        start, end = course.days[0][1], course.days[-1][1]
        for attempt in range(patients):
            candidate = (pointer + attempt) % patients
            if free_from[candidate] < start:
                break
        else:
            raise ValueError(
                f"{patients} patients per site are too few for the courses running at once; "
                "give more patients or fewer chairs."
            )
        course.patient = candidate
        free_from[candidate] = end
        pointer = candidate + 1


def history_window(size: Size, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First day of the history, last day anything may be booked on."""
    first = today - datetime.timedelta(days=size.days)
    return first, today + datetime.timedelta(days=BOOK_AHEAD_DAYS + 2 * MAX_COURSE_DAYS)


def site_rng(size: Size, site: int) -> random.Random:
    return random.Random(size.seed * 1000 + site)  # noqa: S311 (made-up data, not secrets)
