"""``python -m bench.load`` (``make bench-load``): the app under gunicorn with production
settings on loopback, driven by locust headless at each user count for a fixed time.

Against the database in DATABASE_URL (the scale data: README "Scale"). Prints and writes as
JSON (``--out``): per endpoint and user count, requests/s, p50, p95, failures, queries per
request (median) and p50 as a multiple of the floor's; EXPLAIN (ANALYZE, BUFFERS) of the three
slowest queries seen; the peak RSS of each gunicorn worker and of the Celery worker.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIVE_VISITS = 3  # running infusions the nurses chart vitals on
BOOKING_PATIENTS = 12  # patients the front desk books and cancels courses for, one at a time


def arguments(argv):
    parser = argparse.ArgumentParser(prog="make bench-load", description=__doc__)
    parser.add_argument("--users", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--seconds", type=int, default=60, help="per user count")
    # Three on this 2-core machine, where Postgres, the Celery worker and locust share the
    # cores with gunicorn: at 8 users it served the most requests with the fewest over
    # 200 ms (2 workers: the requests queue for a worker; 4: for the cores). README.
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--out", default=str(ROOT / ".local" / "bench-load.json"))
    return parser.parse_args(argv)


def targets() -> dict:
    """The busiest site of the scale data, its staff signed in, and what to ask for."""
    from django.conf import settings
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from rest_framework.authtoken.models import Token

    from clinic.models import Location, User
    from clinic.roles import Role
    from clinic.two_factor import services as two_factor
    from infusions.models import Protocol
    from patients.models import Patient
    from reports.selectors import REPORTS
    from scheduling.models import Appointment

    from . import live

    site = Location.objects.annotate(n=Count("appointments")).order_by("-n").first()
    visits = Appointment.objects.filter(location=site)
    now = timezone.now()
    nearest = visits.filter(starts_at__gte=now).order_by("starts_at").first() or visits.order_by(
        "-starts_at").first()  # fmt: skip
    day = timezone.localtime(nearest.starts_at).date()
    patients = list(Patient.objects.filter(home_location=site).order_by("?")[:40])
    done = visits.filter(status="completed").order_by("-starts_at").values_list("pk", flat=True)
    roles = {}
    for role in (Role.FRONT_DESK, Role.NURSE, Role.CLINIC_ADMIN):
        user = User.objects.filter(groups__name=role.label, locations=site, is_active=True).first()
        client = Client()
        client.force_login(user)
        if two_factor.is_required_for(user) or two_factor.has_device(user):
            device = TOTPDevice.objects.filter(
                user=user, confirmed=True
            ).first() or TOTPDevice.objects.create(user=user, name="bench-load", confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session[two_factor.HAS_DEVICE_SESSION_KEY] = True
            session.save()
        roles[role.name.lower()] = {
            "cookie": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "token": Token.objects.get_or_create(user=user)[0].key,
        }
    protocol = Protocol.objects.filter(is_active=True).first()
    monday = day + datetime.timedelta(days=7 - day.weekday())
    live_records = live.LiveVisits(site, protocol).running(LIVE_VISITS)
    # Patients with charted visits: their Observations are vitals, not an empty Bundle.
    charted = sorted(set(visits.filter(pk__in=list(done[:40])).values_list("patient", flat=True)))
    return {
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "roles": roles,
        "location": site.pk,
        "day": day.isoformat(),
        "month_start": (day - datetime.timedelta(days=30)).isoformat(),
        "patients": [p.pk for p in patients],
        "names": sorted({p.legal_last_name[:3] for p in patients}),
        "mrns": [p.mrn for p in patients],
        "phones": [str(p.phone)[-10:] for p in patients if p.phone] or ["9495550100"],
        "desk_tabs": ["overview", "courses", "consent", "history", "billing"],
        "clinical_tabs": ["intake", "screening", "measures", "outcome", "weights"],
        "chair_appointments": list(done[:40]),
        "proposals": [
            {
                "patient": p.pk,
                "protocol": protocol.pk,
                "location": site.pk,
                "start_date": monday.isoformat(),
                "weekdays": [0, 2, 4],
                "preferred_time": "10:00",
                "sessions_per_week": 3,
                "planned_infusions": 8,
            }
            for p in patients[:10]
        ],  # fmt: skip
        "live_records": live_records,
        "booking": {
            "patients": live.bookable_patients(site, BOOKING_PATIENTS),
            "protocol": protocol.pk,
            "location": site.pk,
            "start_dates": live.booking_days(site, site.today()),
        },
        "fhir_patients": charted or [p.pk for p in patients],
        "reports": list(REPORTS),
    }


class PeakRss(threading.Thread):
    """Samples the resident memory of the gunicorn workers and the Celery processes."""

    def __init__(self, processes: dict[str, subprocess.Popen]) -> None:
        super().__init__(daemon=True)
        self.processes = processes
        self.peaks: dict[str, int] = {}
        self.done = threading.Event()

    def run(self) -> None:
        import psutil

        while not self.done.wait(0.5):
            for kind, process in self.processes.items():
                try:
                    parent = psutil.Process(process.pid)
                    members = parent.children() if kind == "gunicorn worker" else \
                        [parent, *parent.children()]  # fmt: skip
                    for member in members:
                        rss = member.memory_info().rss
                        self.peaks[kind] = max(self.peaks.get(kind, 0), rss)
                except psutil.Error:
                    continue


def production_env(folder: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "CLINIC_DEV"}
    env.update({
        "SECRET_KEY": os.environ["SECRET_KEY"], "ALLOWED_HOSTS": "127.0.0.1",
        "BENCH_LOAD": "1", "BENCH_LOAD_SLOWEST_LOG": str(folder / "slowest.jsonl"),
        "CACHE_KEY_PREFIX": "bench-load", "CELERY_QUEUE": f"bench-load-{os.getpid()}",
        "LOG_LEVEL": "WARNING", "API_USER_RATE": "1000000/minute",
    })  # fmt: skip
    return env


def run_locust(users: int, seconds: int, port: int, folder: Path, target_file: Path) -> dict:
    prefix = folder / f"u{users}"
    queries = folder / f"u{users}-queries.json"
    subprocess.run(  # noqa: S603 - our interpreter, fixed arguments
        [sys.executable, "-m", "locust", "-f", str(Path(__file__).with_name("locustfile.py")),
         "--headless", "-u", str(users), "-r", str(users), "-t", f"{seconds}s",
         "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
         "--loglevel", "WARNING"],
        cwd=ROOT, check=False,
        env={**os.environ, "BENCH_LOAD_TARGETS": str(target_file),
             "BENCH_LOAD_QUERIES": str(queries)},
    )  # fmt: skip
    counts = json.loads(queries.read_text()) if queries.exists() else {}
    rows = {}
    with open(f"{prefix}_stats.csv") as stats:
        for row in csv.DictReader(stats):
            if row["Name"] == "Aggregated":
                continue
            seen = counts.get(row["Name"], [])
            rows[row["Name"]] = {
                "endpoint": row["Name"], "users": users,
                "requests_per_s": round(float(row["Requests/s"]), 1),
                "p50_ms": float(row["50%"]), "p95_ms": float(row["95%"]),
                "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                "queries_per_request": statistics.median(seen) if seen else None,
            }  # fmt: skip
    floor = rows.get("floor", {}).get("p50_ms") or None
    for row in rows.values():
        row["p50_x_floor"] = round(row["p50_ms"] / floor, 1) if floor else None
    return rows


def slowest_explained(folder: Path, count: int = 3) -> list[dict]:
    from django.db import connection

    log = folder / "slowest.jsonl"
    entries = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    chosen, seen = [], set()
    for entry in sorted(entries, key=lambda e: -e["ms"]):
        shape = entry["sql"][:120]
        if shape in seen or not entry["sql"].lstrip().upper().startswith("SELECT"):
            continue
        seen.add(shape)
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + entry["sql"])
            entry["plan"] = "\n".join(row[0] for row in cursor.fetchall())
        chosen.append(entry)
        if len(chosen) == count:
            break
    return chosen


def print_report(report: dict) -> None:
    print(f"\n{'endpoint':40} {'users':>5} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'queries':>7} {'x floor':>7} {'fail':>5}")  # fmt: skip
    for row in report["endpoints"]:
        print(f"{row['endpoint'][:40]:40} {row['users']:>5} {row['requests_per_s']:>7} "
              f"{row['p50_ms']:>7.0f} {row['p95_ms']:>7.0f} "
              f"{row['queries_per_request'] if row['queries_per_request'] is not None else '-':>7} "
              f"{row['p50_x_floor'] or '-':>7} {row['failures']:>5}")  # fmt: skip
    for kind, rss in report["peak_rss_mib"].items():
        print(f"peak RSS, {kind}: {rss} MiB")
    for entry in report["slowest_queries"]:
        print(f"\nslow query ({entry['ms']:.1f} ms, {entry['path']}):\n{entry['sql'][:600]}\n"
              f"{entry['plan']}")  # fmt: skip


def main(argv) -> int:
    args = arguments(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    os.environ["CLINIC_DEV"] = "1"  # this process only reads; gunicorn runs production settings
    # One key for this process and gunicorn: the sessions made here must verify there.
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    import django

    django.setup()
    from bench.drill.processes import Processes, free_port

    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    target_file = folder / "targets.json"
    target_file.write_text(json.dumps(targets()))
    env = production_env(folder)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],  # noqa: S603
                   cwd=ROOT, env=env, check=True)  # fmt: skip
    processes = Processes(env, folder)
    port = free_port()
    try:
        web = processes.gunicorn(port, args.workers)
        worker = processes.start("worker", [
            sys.executable, "-m", "celery", "-A", "clinic", "worker", "--loglevel=WARNING",
            "--concurrency=2", "-Q", env["CELERY_QUEUE"], "-n", f"bench-load-{os.getpid()}@%h",
        ])  # fmt: skip
        sampler = PeakRss({"gunicorn worker": web, "celery worker": worker})
        sampler.start()
        endpoints = []
        for users in args.users:
            endpoints += run_locust(users, args.seconds, port, folder, target_file).values()
        sampler.done.set()
    finally:
        processes.stop_all()
    report = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}",
        "seconds_per_user_count": args.seconds, "gunicorn_workers": args.workers,
        "endpoints": sorted(endpoints, key=lambda r: (r["endpoint"], r["users"])),
        "peak_rss_mib": {k: round(v / 2**20) for k, v in sampler.peaks.items()},
        "slowest_queries": slowest_explained(folder),
    }  # fmt: skip
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2))
    print_report(report)
    print(f"\nwritten: {args.out}; logs: {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
