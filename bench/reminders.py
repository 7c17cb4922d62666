"""`make bench`, part two: 10,000 due reminders through a real Celery worker.

Seeds a throw-away database (created and dropped here) with 10,000 appointments, each
with one due SMS reminder, starts a worker (two processes, like production's default) on
its own queue with the file SMS backend, runs two sweeps at once (as two beat processes
would) and waits until every row is settled. Reports the time and any message written
twice. Exits non-zero when a target is missed.
"""

import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import django

QUEUE = f"bench-reminders-{os.getpid()}"
SMS_FOLDER = Path(tempfile.mkdtemp(prefix="bench-sms-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
os.environ["TEST_DATABASE_NAME"] = "clinic_bench_reminders"
os.environ["CELERY_QUEUE"] = QUEUE
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from clinic import devservices  # noqa: E402

REMINDERS = int(os.environ.get("BENCH_REMINDERS", "10000"))
PATIENTS = max(1, REMINDERS // 10)
CHAIRS = min(100, PATIENTS)  # never more chairs than patients: see seed()
TARGET_SECONDS = 30.0


def seed() -> None:
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from clinic.models import Location, User
    from clinic.roles import Role
    from patients.models import CommunicationConsent, Patient
    from scheduling.models import Appointment, Chair, OutboundMessage

    # A site where it is now about noon, so quiet hours never hold the SMS back.
    offset = (12 - timezone.now().astimezone(datetime.UTC).hour + 12) % 24 - 12
    zone = "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"
    site = Location.objects.create(name="Bench", code="bench", time_zone=zone, phone="+19495550100")
    nurse = User.objects.create(username="bench-nurse")
    nurse.groups.add(Group.objects.get(name=Role.NURSE.label))
    chairs = Chair.objects.bulk_create(
        [Chair(location=site, name=f"Chair {n}") for n in range(CHAIRS)]
    )
    patients = Patient.objects.bulk_create(
        Patient(mrn=f"KB{n:07d}", legal_first_name="Bench", legal_last_name=f"Patient{n}",
                date_of_birth=datetime.date(1980, 1, 1), phone=f"+1949{2000000 + n:07d}",
                home_location=site)
        for n in range(PATIENTS)
    )  # fmt: skip
    CommunicationConsent.objects.bulk_create(
        CommunicationConsent(patient=p, channel="sms", granted=True, method="written")
        for p in patients
    )
    start = timezone.now() + datetime.timedelta(days=3)
    appointments = []
    for n in range(REMINDERS):
        # A patient's visits are 30 h apart and a chair's 3 h apart: no overlap anywhere.
        starts_at = start + datetime.timedelta(hours=3 * (n // CHAIRS))
        appointments.append(
            Appointment(patient=patients[n % PATIENTS], location=site, chair=chairs[n % CHAIRS],
                        nurse=nurse, starts_at=starts_at,
                        ends_at=starts_at + datetime.timedelta(minutes=105),
                        infusion_starts_at=starts_at + datetime.timedelta(minutes=20),
                        infusion_ends_at=starts_at + datetime.timedelta(minutes=60))
        )  # fmt: skip
    appointments = Appointment.objects.bulk_create(appointments, batch_size=2000)
    due = timezone.now() - datetime.timedelta(minutes=1)
    OutboundMessage.objects.bulk_create(
        (OutboundMessage(appointment=a, kind="appointment", channel="sms", send_at=due)
         for a in appointments),
        batch_size=2000,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE scheduling_outboundmessage")


def start_worker() -> subprocess.Popen:
    from clinic.celery import app

    name = f"bench-{os.getpid()}"
    worker = devservices.start_celery_worker(
        database=connection.settings_dict,
        queue=QUEUE,
        name=name,
        extra_env={"SMS_BACKEND": "file", "SMS_FILE_PATH": str(SMS_FOLDER), "LOG_LEVEL": "WARNING"},
        worker_args=("--concurrency=2",),
    )
    devservices.wait_for_worker(app, worker, name)
    return worker


def cpu_seconds_of(pids: list[int], *, with_children: bool = False) -> float | None:
    """User + system CPU seconds of these processes (and their children) so far; None when
    they cannot be read (psutil missing, a database on another host)."""
    try:
        import psutil

        processes = [psutil.Process(pid) for pid in pids]
        if with_children:
            processes += [c for p in processes for c in p.children(recursive=True)]
        return sum(sum(p.cpu_times()[:2]) for p in processes)
    except (ImportError, OSError, psutil.Error):
        return None


def database_backends() -> list[int]:
    """The Postgres backends connected to the bench database (the worker's), but this one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def dispatch_with_two_sweeps() -> float:
    from scheduling.models import OutboundMessage
    from scheduling.reminders.dispatch import dispatch_due

    def sweep():
        try:
            dispatch_due(max_batches=10_000)
        finally:
            connection.close()

    started = time.perf_counter()
    sweeps = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in sweeps:
        thread.start()
    for thread in sweeps:
        thread.join()
    unsettled = OutboundMessage.objects.filter(status__in=["pending", "sending"])
    deadline = time.monotonic() + 300
    while unsettled.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    return time.perf_counter() - started


def report(seconds: float, cpu: dict[str, float | None]) -> bool:
    from django.db.models import Count

    from scheduling.models import OutboundMessage

    statuses = dict(
        OutboundMessage.objects.values_list("status").annotate(n=Count("pk")).order_by()
    )
    references = [json.loads(p.read_text())["reference"] for p in SMS_FOLDER.glob("*.json")]
    duplicates = len(references) - len(set(references))
    sent = statuses.get("sent", 0)
    print(
        f"reminders: {REMINDERS} due SMS through a 2-process worker in {seconds:.1f} s "
        f"({REMINDERS / seconds:.0f}/s, target < {TARGET_SECONDS:.0f} s); "
        f"files {len(references)}, duplicates {duplicates}, rows {statuses}"
    )
    # CPU, not wall time, is what a loaded machine does not change: compare these.
    measured = {name: value for name, value in cpu.items() if value is not None}
    print(
        "reminders CPU seconds: "
        + ", ".join(f"{name} {value:.1f}" for name, value in measured.items())
        + f"; total {sum(measured.values()):.1f} ({sum(measured.values()) * 10_000 / REMINDERS:.1f}"
        " per 10,000)"
    )
    return seconds < TARGET_SECONDS and duplicates == 0 and sent == REMINDERS


def main() -> int:
    old_config = setup_databases(verbosity=0, interactive=False)
    worker = None
    try:
        seed()
        worker = start_worker()
        worker_cpu = cpu_seconds_of([worker.pid], with_children=True)
        sweep_cpu = time.process_time()
        seconds = dispatch_with_two_sweeps()
        sweep_cpu = time.process_time() - sweep_cpu
        worker_after = cpu_seconds_of([worker.pid], with_children=True)
        cpu = {
            "worker": None if worker_cpu is None else worker_after - worker_cpu,
            "postgres (worker's connections)": cpu_seconds_of(database_backends()),
            "sweeps and polling": sweep_cpu,
        }
        ok = report(seconds, cpu)
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        connection.close()
        teardown_databases(old_config, verbosity=0)
        shutil.rmtree(SMS_FOLDER, ignore_errors=True)
    load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"machine load average (1, 5, 15 min) at the end: {load} on {os.cpu_count()} cores")
    print("bench reminders:", "all targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
