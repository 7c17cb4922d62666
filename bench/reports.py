"""`make bench`, part three: every report page over a year of a three-site clinic.

Seeds a throw-away database (created and dropped here): 3 sites of 12 chairs open Monday to
Saturday, a year of visits (5 a chair a day, about 55,000) in courses of 10, an infusion
record for each visit that came, alerts, side effects, two reminders a visit, pain scores,
consultation requests and waitlist entries. Times each report page and the dashboard for
90 days and for the whole year at all three sites. Exits non-zero when a page misses the
target.
"""

import datetime
import os
import random
import statistics
import sys
import time
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
os.environ["TEST_DATABASE_NAME"] = "clinic_bench_reports"
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

TARGET_MS = 500.0
SITES, CHAIRS, VISITS_A_DAY, DAYS = 3, 12, 5, int(os.environ.get("BENCH_REPORT_DAYS", "365"))
FIRST_DAY = datetime.date(2025, 1, 6)  # a Monday


def seed(rng: random.Random):  # noqa: C901, PLR0915 - one linear script of bulk inserts
    from django.contrib.auth.models import Group

    from clinic.models import Location, User
    from clinic.roles import Role
    from infusions.models import InfusionRecord
    from infusions.models.charting import Alert, InfusionEvent, VitalsReading
    from infusions.services import protocol_create
    from patients.models import ConsultationRequest, OutcomeMeasure, Patient
    from scheduling.models import Appointment, Chair, Course, OpeningHours, OutboundMessage
    from waitlist.models import WaitlistEntry

    started = time.perf_counter()
    # The front desk of all three sites: the same reports as a director, without the
    # two-factor step a test client cannot take.
    admin = User.objects.create(username="bench-desk")
    admin.groups.add(Group.objects.get(name=Role.FRONT_DESK.label))
    nurse = User.objects.create(username="bench-nurse")
    physician = User.objects.create(username="bench-physician")
    physician.groups.add(Group.objects.get(name=Role.PHYSICIAN.label))
    protocol = protocol_create(
        name="Bench 0.5 mg/kg", code="bench", created_by=physician,
        soft_max_mg=Decimal("60"), hard_max_mg=Decimal("100"),
    )  # fmt: skip
    version = protocol.current_version
    sites = [Location.objects.create(name=f"Site {n}", code=f"site-{n}") for n in range(SITES)]
    admin.locations.add(*sites)
    for site in sites:
        for weekday in range(6):
            OpeningHours.objects.create(
                location=site, weekday=weekday, opens_at=datetime.time(8),
                closes_at=datetime.time(19),
            )  # fmt: skip
    chairs = {
        site.pk: [Chair.objects.create(location=site, name=f"C{n:02}") for n in range(CHAIRS)]
        for site in sites
    }
    patients_needed = SITES * (CHAIRS * VISITS_A_DAY * DAYS // 10 + CHAIRS * VISITS_A_DAY + 1)
    Patient.objects.bulk_create(
        Patient(mrn=f"KB{n:07d}", legal_first_name="Bench", legal_last_name=f"P{n}",
                date_of_birth=datetime.date(1970, 1, 1), home_location=sites[n % SITES])
        for n in range(patients_needed)
    )  # fmt: skip
    patients = list(Patient.objects.order_by("pk"))
    courses = Course.objects.bulk_create(
        Course(patient=patient, protocol=protocol, location=patient.home_location,
               planned_infusions=10, booked_by=admin,
               status=rng.choice(["completed"] * 6 + ["abandoned", "active", "cancelled"]))
        for patient in patients
    )  # fmt: skip
    by_site = {site.pk: [c for c in courses if c.location_id == site.pk] for site in sites}
    visits = []
    for site in sites:
        # Each chair-and-slot lane carries one course at a time (its patient is never in
        # two chairs at once), and takes the site's next course after ten visits.
        zone, queue = site.zone, iter(by_site[site.pk])
        lanes = {}
        for offset in range(DAYS):
            day = FIRST_DAY + datetime.timedelta(days=offset)
            if day.weekday() == 6:
                continue
            for chair in chairs[site.pk]:
                for slot in range(VISITS_A_DAY):
                    starts = datetime.datetime.combine(
                        day, datetime.time(8), tzinfo=zone
                    ) + datetime.timedelta(minutes=125 * slot)
                    course, used = lanes.get((chair.pk, slot), (None, 10))
                    if used == 10:
                        course, used = next(queue), 0
                    used += 1
                    lanes[chair.pk, slot] = (course, used)
                    status = rng.choice(["completed"] * 8 + ["no_show", "cancelled"])
                    visits.append(
                        Appointment(
                            course=course, sequence=used, patient_id=course.patient_id,
                            location=site, chair=chair, nurse=nurse, starts_at=starts,
                            ends_at=starts + datetime.timedelta(minutes=120),
                            infusion_starts_at=starts + datetime.timedelta(minutes=20),
                            infusion_ends_at=starts + datetime.timedelta(minutes=60),
                            status=status, escort_confirmed=rng.random() < 0.8,
                        )
                    )  # fmt: skip
    Appointment.objects.bulk_create(visits, batch_size=5000)
    came = [v for v in visits if v.status == "completed"]
    records = InfusionRecord.objects.bulk_create(
        (InfusionRecord(appointment=v, protocol_version=version, status="discharged",
                        checked_in_at=v.starts_at, started_at=v.infusion_starts_at,
                        ended_at=v.infusion_ends_at, checked_in_by=nurse) for v in came),
        batch_size=5000,
    )  # fmt: skip
    alerted = [r for r in records if rng.random() < 0.05]
    readings = VitalsReading.objects.bulk_create(
        VitalsReading(record=r, taken_at=r.started_at, phase="during", systolic_mmhg=190,
                      diastolic_mmhg=100, pulse_bpm=80, spo2_percent=97, taken_by=nurse)
        for r in alerted
    )  # fmt: skip
    Alert.objects.bulk_create(
        Alert(record_id=reading.record_id, reading=reading, protocol_version=version,
              message="Systolic 190") for reading in readings
    )  # fmt: skip
    InfusionEvent.objects.bulk_create(
        (InfusionEvent(record=r, kind="side_effect", occurred_at=r.started_at,
                       side_effect="nausea", severity="mild", by=nurse)
         for r in records if rng.random() < 0.1),
        batch_size=5000,
    )  # fmt: skip
    OutboundMessage.objects.bulk_create(
        (OutboundMessage(appointment=v, kind="appointment", channel=channel,
                         send_at=v.starts_at - datetime.timedelta(hours=24),
                         status=rng.choice(["sent"] * 9 + ["failed"]))
         for v in visits for channel in ("sms", "email")),
        batch_size=10000,
    )  # fmt: skip
    OutcomeMeasure.objects.bulk_create(
        (OutcomeMeasure(patient_id=v.patient_id, kind="pain_nrs", answers={}, recorded_by=nurse,
                        score=rng.randint(2, 9), taken_at=v.infusion_starts_at, context="x")
         for v in came if v.sequence in (1, 10)),
        batch_size=5000,
    )  # fmt: skip
    ConsultationRequest.objects.bulk_create(
        ConsultationRequest(name="Caller", phone="+19495550100", preferred_location=sites[n % 3],
                            source=rng.choice(["website", "phone", "referral"]),
                            patient=patients[n] if n % 2 else None,
                            stage="registered" if n % 2 else "new")
        for n in range(min(len(patients), 5000))
    )  # fmt: skip
    WaitlistEntry.objects.bulk_create(
        WaitlistEntry(patient=patients[n], location=patients[n].home_location,
                      wish="start_sooner", created_by=admin, status="withdrawn")
        for n in range(min(len(patients), 1000))
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"seeded {len(visits)} visits, {len(records)} infusions, {len(visits) * 2} reminders "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return admin


def timed(client, url: str, runs: int = 5) -> tuple[float, float]:
    client.get(url)  # warm-up: templates, connection
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings), max(timings)


def main() -> int:
    from django.test import Client

    from reports.selectors import REPORTS

    rng = random.Random(20261205)  # noqa: S311 - reproducible test data, not secrets
    old_config = setup_databases(verbosity=0, interactive=False)
    ok = True
    try:
        client = Client()
        client.force_login(seed(rng))
        last = FIRST_DAY + datetime.timedelta(days=DAYS - 1)
        for days in (90, DAYS):
            query = f"?start={last - datetime.timedelta(days=days - 1)}&end={last}"
            for name in ["", *REPORTS]:
                median, worst = timed(client, f"/reports/{name + '/' if name else ''}{query}")
                ok &= worst < TARGET_MS
                print(
                    f"report {name or 'dashboard'} over {days} days, {SITES} sites: median "
                    f"{median:.0f} ms, worst {worst:.0f} ms (target < {TARGET_MS:.0f} ms)"
                )
    finally:
        connection.close()
        if not os.environ.get("BENCH_KEEP_DATABASE"):  # kept: to EXPLAIN a slow report
            teardown_databases(old_config, verbosity=0)
    print("bench reports:", "all targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
