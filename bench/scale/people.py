"""Per site, from the plan: the patients, the courses and their appointments, the nurse
shifts, written by COPY with ids taken from each table's sequence."""

import datetime
import random

from .db import copy_rows, reserve, reserve_sequence
from .network import FIRST, Network, Site
from .plan import (
    INFUSION_MINUTES,
    PREP_MINUTES,
    SHIFT_ENDS,
    SHIFT_STARTS,
    VISIT_MINUTES,
    Size,
    assign_patients,
    courses_for_site,
    local,
    on_duty,
    site_rng,
    visit_start,
)

MINUTE = datetime.timedelta(minutes=1)
DAY = datetime.timedelta(days=1)
PATIENT_FIRST = ["Susan", "James", "Linh", "Rachel", "Michael", "Maria", "David", "Aisha",
                 "Kenji", "Sofia", "Omar", "Grace", "Daniel", "Priya", "Carlos", "Emma",
                 "Noah", "Olivia", "Lucia", "Mateo", "Chloe", "Ethan", "Zoe", "Ava"]  # fmt: skip
PATIENT_LAST = ["Alvarez", "Whitaker", "Nguyen", "Goldberg", "Okoye", "Lopez", "Kim", "Chen",
                "Patel", "Garcia", "Smith", "Johnson", "Brown", "Davis", "Martinez",
                "Hernandez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson",
                "Martin", "Lee", "Perez", "White", "Ramirez", "Torres", "Rivera",
                "Flores"]  # fmt: skip
CANCELLED, NO_SHOW = 0.04, 0.025  # shares of past visits
PATIENT_COLUMNS = [
    "id", "mrn", "legal_first_name", "legal_last_name", "preferred_name", "date_of_birth", "sex",
    "phone", "email", "address_line1", "address_line2", "city", "state", "postal_code",
    "preferred_language", "home_location_id", "payment", "insurance_payer",
    "insurance_member_id", "comfort_dim_lights", "comfort_eye_mask", "comfort_music",
    "comfort_aromatherapy", "comfort_blanket", "comfort_notes", "is_active",
    "deactivation_reason", "created_at", "created_by_id",
]  # fmt: skip
APPOINTMENT_COLUMNS = [
    "id", "course_id", "sequence", "patient_id", "location_id", "chair_id", "nurse_id",
    "starts_at", "ends_at", "infusion_starts_at", "infusion_ends_at", "status", "escort_name",
    "escort_phone", "escort_confirmed", "created_at",
]  # fmt: skip


def escort_of(patient_id: int) -> tuple[str, str]:
    last = PATIENT_LAST[(patient_id * 7) % len(PATIENT_LAST)]
    return f"{FIRST[patient_id % len(FIRST)]} {last}", f"+1949{6000000 + patient_id % 4000000:07d}"


def patient_phone(patient_id: int) -> str:
    return f"+1714{2000000 + patient_id % 8000000:07d}"


class SitePeople:
    """Writes one site's patients, courses, appointments and shifts."""

    def __init__(self, size: Size, network: Network, site: Site, now: datetime.datetime):
        self.size, self.network, self.site, self.now = size, network, site, now
        self.rng: random.Random = site_rng(size, site.index)
        self.today = site.location.date_of(now)

    def write(self) -> dict[str, int]:
        site, size = self.site, self.size
        courses = courses_for_site(size, site.days, self.today, self.rng)
        patients = size.patients_at(site.index)
        assign_patients(courses, patients)
        patient_base = reserve("patients_patient", patients)
        mrn_base = reserve_sequence("'patients_mrn_seq'", patients)
        course_base = reserve("scheduling_course", len(courses))
        appointment_id = reserve("scheduling_appointment", sum(len(c.days) for c in courses))
        first_booking, course_rows, self.appointments, self.visits = {}, [], [], []
        for number, course in enumerate(courses):
            booked_at, booked_by = self._booking(course)
            first_booking.setdefault(course.patient, booked_at)
            row = self._course(course, course_base + number, patient_base + course.patient,
                               appointment_id, booked_at, booked_by)  # fmt: skip
            course_rows.append(row)
            appointment_id += len(course.days)
        counts = {
            "patients_patient": copy_rows(
                "patients_patient", PATIENT_COLUMNS,
                self._patients(patient_base, mrn_base, patients, first_booking),
            ),
            "patients_escortcontact": copy_rows(
                "patients_escortcontact",
                ["patient_id", "name", "relationship", "phone", "email", "is_primary",
                 "is_active", "created_at"],
                self.escorts,
            ),
            "scheduling_course": copy_rows(
                "scheduling_course",
                ["id", "patient_id", "protocol_id", "location_id", "planned_infusions",
                 "status", "booked_at", "booked_by_id", "notes"],
                course_rows,
            ),
            # In time order: the exclusion constraints' GiST indexes then grow at one end.
            "scheduling_appointment": copy_rows(
                "scheduling_appointment", APPOINTMENT_COLUMNS,
                sorted(self.appointments, key=lambda row: (row[7], row[0])),
            ),
            "scheduling_nurseshift": copy_rows(
                "scheduling_nurseshift", ["nurse_id", "location_id", "starts_at", "ends_at"],
                self._shifts(),
            ),
        }  # fmt: skip
        copy_rows("scale_visit", ["appointment_id", "witness_id", "booked_by_id"], self.visits)
        return counts

    def _course(self, course, course_id, patient_id, appointment_id, booked_at, booked_by):
        """The course's row; its appointments (and who witnesses each) go to the lists."""
        site, size = self.site, self.size
        escort_name, escort_phone = escort_of(patient_id)
        pair, past = course.chair // 2, 0
        for sequence, (day_index, day) in enumerate(course.days, start=1):
            starts = visit_start(day, course.chair, course.slot)
            duty = on_duty(size, day_index)
            nurse = site.nurses[duty[pair % len(duty)]]
            witness = site.nurses[duty[(pair + 1) % len(duty)]]
            status = self._status(starts)
            past += status != "scheduled"
            self.appointments.append((
                appointment_id, course_id, sequence, patient_id, site.location.pk,
                site.chairs[course.chair], nurse, starts, starts + VISIT_MINUTES * MINUTE,
                starts + PREP_MINUTES * MINUTE,
                starts + (PREP_MINUTES + INFUSION_MINUTES) * MINUTE, status, escort_name,
                escort_phone, status == "completed", booked_at,
            ))  # fmt: skip
            self.visits.append((appointment_id, witness, booked_by))
            appointment_id += 1
        status = "completed" if past == len(course.days) else "active" if past else "planned"
        return (
            course_id, patient_id, self.network.protocol_version.protocol_id, site.location.pk,
            len(course.days), status, booked_at, booked_by, "",
        )  # fmt: skip

    def _booking(self, course) -> tuple[datetime.datetime, int]:
        first_day = course.days[0][1]
        booked_day = first_day - self.rng.randint(2, 12) * DAY
        booked_at = local(booked_day, datetime.time(9), self.rng.randrange(0, 480))
        booked_at = min(booked_at, self.now - self.rng.randrange(5, 600) * MINUTE)
        return booked_at, self.rng.choice(self.site.desk)

    def _status(self, starts: datetime.datetime) -> str:
        if starts + VISIT_MINUTES * MINUTE > self.now:
            return "scheduled"
        draw = self.rng.random()
        if draw < CANCELLED:
            return "cancelled"
        return "no_show" if draw < CANCELLED + NO_SHOW else "completed"

    def _patients(self, base, mrn_base, count, first_booking):
        rng, site = self.rng, self.site
        self.escorts = []
        first_day = site.days[0]
        for index in range(count):
            pid = base + index
            booked = first_booking.get(index)
            if booked is not None:
                created = booked - rng.randint(3, 20) * DAY - rng.randrange(0, 300) * MINUTE
            else:
                span = max((self.today - first_day).days, 1)
                created = local(first_day + rng.randrange(span) * DAY, datetime.time(9),
                                rng.randrange(0, 480))  # fmt: skip
            insured = rng.random() < 0.15
            first = PATIENT_FIRST[rng.randrange(len(PATIENT_FIRST))]
            last = PATIENT_LAST[rng.randrange(len(PATIENT_LAST))]
            comfort = [rng.random() < share for share in (0.3, 0.2, 0.4, 0.1, 0.5)]
            escort_name, escort_phone = escort_of(pid)
            self.escorts.append((
                pid, escort_name, rng.choice(("Partner", "Spouse", "Daughter", "Son", "Friend")),
                escort_phone, "", True, True, created + 10 * MINUTE,
            ))  # fmt: skip
            yield (
                pid, f"KC{mrn_base + index:07d}", first, last, "",
                datetime.date(1945, 1, 1) + rng.randrange(20_000) * DAY, rng.choice(
                    ("female", "female", "female", "male", "unknown")),
                patient_phone(pid),
                f"{first.lower()}.{last.lower()}{pid}@example.com" if rng.random() < 0.7 else "",
                f"{rng.randrange(1, 9999)} Ocean Ave", "", site.location.name, "CA",
                f"9{rng.randrange(2000, 2999)}", "Spanish" if rng.random() < 0.3 else "English",
                site.location.pk, "insurance" if insured else "self_pay",
                "Blue Shield of California" if insured else "",
                f"XEB{pid:09d}" if insured else "", *comfort, "", True, "", created,
                rng.choice(site.desk),
            )  # fmt: skip

    def _shifts(self):
        for day_index, day in enumerate(self.site.days):
            for nurse in sorted(set(on_duty(self.size, day_index))):
                yield (
                    self.site.nurses[nurse],
                    self.site.location.pk,
                    local(day, SHIFT_STARTS),
                    local(day, SHIFT_ENDS),
                )
