"""`make bench`: speed and memory of the paths that must stay fast as the clinic grows.

Runs in a throw-away database (created and dropped here), never the development one.
Prints one line per measurement; exits non-zero when a target is missed.
"""

import datetime
import os
import random
import statistics
import sys
import time
import tracemalloc

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
os.environ.setdefault("TEST_DATABASE_NAME", "clinic_bench")
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

PATIENTS = int(os.environ.get("BENCH_PATIENTS", "50000"))
SEARCH_P95_TARGET_MS = 50.0

FIRST = [
    "Susan",
    "James",
    "Linh",
    "Rachel",
    "Michael",
    "Maria",
    "David",
    "Aisha",
    "Kenji",
    "Sofia",
    "Omar",
    "Grace",
    "Daniel",
    "Priya",
    "Carlos",
    "Emma",
    "Noah",
    "Olivia",
]
LAST = ["Alvarez", "Whitaker", "Nguyen", "Goldberg", "Okoye", "Lopez", "Kim", "Chen", "Patel",
        "Garcia", "Smith", "Johnson", "Brown", "Davis", "Martinez", "Hernandez", "Wilson",
        "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez",
        "White"]  # fmt: skip


def seed(rng: random.Random):
    from django.contrib.auth.models import Group

    from clinic.models import Location, User
    from clinic.roles import Role
    from patients.models import Patient

    site = Location.objects.create(name="Bench", code="bench")
    user = User.objects.create(username="bench-desk")
    user.groups.add(Group.objects.get(name=Role.FRONT_DESK.label))
    user.locations.add(site)
    start = time.perf_counter()
    batch = []
    for n in range(PATIENTS):
        last = rng.choice(LAST) + ("" if n % 3 else f"{n % 997}")
        batch.append(
            Patient(
                mrn=f"KC{1_000_000 + n:07d}",
                legal_first_name=rng.choice(FIRST),
                legal_last_name=last,
                date_of_birth=datetime.date(1940, 1, 1)
                + datetime.timedelta(days=rng.randrange(23000)),
                phone=f"+1949555{n:04d}"[:12] if n < 10000 else "",
                home_location=site,
            )
        )
        if len(batch) == 5000:
            Patient.objects.bulk_create(batch)
            batch = []
    Patient.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE patients_patient")
    print(f"seeded {PATIENTS} patients in {time.perf_counter() - start:.1f} s")
    return user


def bench_search(user, rng: random.Random) -> bool:
    from patients.selectors import patient_search

    queries = [rng.choice(LAST)[:k] for k in (2, 3, 4, 5) for _ in range(10)]
    queries += [f"{rng.choice(FIRST)[:3]} {rng.choice(LAST)[:3]}" for _ in range(20)]
    queries += [f"KC{1_000_000 + rng.randrange(PATIENTS):07d}" for _ in range(10)]
    queries += [
        f"{rng.randrange(1, 12):02d}/{rng.randrange(1, 28):02d}/19{rng.randrange(40, 99)}"
        for _ in range(10)
    ]  # noqa: E501
    timings = []
    tracemalloc.start()
    for query in queries:
        start = time.perf_counter()
        patient_search(user, query)
        timings.append((time.perf_counter() - start) * 1000)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"patient search over {PATIENTS} patients: {len(queries)} queries, "
        f"median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms "
        f"(target < {SEARCH_P95_TARGET_MS:.0f} ms), peak Python memory {peak / 1024:.0f} KiB"
    )
    from patients.selectors import patients_for

    query = patients_for(user).filter(legal_last_name__istartswith="Whitaker9")
    plan = query.explain()
    print("  plan:", " | ".join(line.strip() for line in plan.splitlines()))
    uses_index = "patient_legal_last_name_prefix" in plan
    print(f"  last-name prefix search uses its index: {'yes' if uses_index else 'NO'}")
    return p95 < SEARCH_P95_TARGET_MS and uses_index


BOARD_P95_TARGET_MS = 150.0
WEEK_P95_TARGET_MS = 300.0


def seed_full_week(user, rng: random.Random):
    """10 chairs, every chair booked back to back all week (6 visits a day, 6 days)."""
    from django.contrib.auth.models import Group

    from clinic.models import Location, User
    from clinic.roles import Role
    from patients.models import Patient
    from scheduling.models import Appointment, Chair, OpeningHours
    from scheduling.services import local_datetime

    site = Location.objects.create(name="Busy site", code="busy")
    user.locations.add(site)
    nurse = User.objects.create(username="bench-nurse")
    nurse.groups.add(Group.objects.get(name=Role.NURSE.label))
    for weekday in range(6):
        OpeningHours.objects.create(
            location=site, weekday=weekday, opens_at=datetime.time(8), closes_at=datetime.time(19)
        )
    chairs = [Chair.objects.create(location=site, name=f"Chair {n:02d}") for n in range(1, 11)]
    patients = list(Patient.objects.order_by("pk")[:400])
    today = datetime.date.today()
    monday = today + datetime.timedelta(days=7 - today.weekday())
    rows, visit = [], datetime.timedelta(minutes=105)
    for offset in range(6):
        day = monday + datetime.timedelta(days=offset)
        for chair in chairs:
            for slot in range(6):
                starts = local_datetime(site, day, datetime.time(8)) + slot * visit
                rows.append(
                    Appointment(
                        patient=patients[len(rows) % len(patients)], location=site, chair=chair,
                        nurse=nurse, starts_at=starts, ends_at=starts + visit,
                        infusion_starts_at=starts + datetime.timedelta(minutes=20),
                        infusion_ends_at=starts + datetime.timedelta(minutes=60),
                    )
                )  # fmt: skip
    Appointment.objects.bulk_create(rows)
    return site, monday, len(rows)


def timed_pages(client, url: str, runs: int = 20) -> tuple[float, float]:
    for _ in range(3):  # warm-up: template compilation, connection, caches
        client.get(url)
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1]


def bench_board(user, rng: random.Random) -> bool:
    from django.test import Client

    site, monday, count = seed_full_week(user, rng)
    client = Client()
    client.force_login(user)
    board = f"/scheduling/board/?location={site.pk}&date={monday.isoformat()}"
    week = f"/scheduling/board/week/?location={site.pk}&date={monday.isoformat()}"
    ok = True
    for name, url, target in (
        ("day board", board, BOARD_P95_TARGET_MS),
        ("week view", week, WEEK_P95_TARGET_MS),
    ):
        median, p95 = timed_pages(client, url)
        ok &= p95 < target
        print(
            f"{name} at 10 chairs, {count} appointments in the week: median {median:.1f} ms, "
            f"p95 {p95:.1f} ms (target < {target:.0f} ms)"
        )
    return ok


def main() -> int:
    rng = random.Random(20261126)  # noqa: S311 - reproducible test data, not secrets
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        user = seed(rng)
        ok = bench_search(user, rng)
        ok &= bench_board(user, rng)
    finally:
        connection.close()
        teardown_databases(old_config, verbosity=0)
    print("bench:", "all targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
