"""``python -m bench.drill`` (``make drill``): start the private Postgres and Redis, migrate,
build the world, run the scenarios, print the table; exit 1 when a scenario fails.

Full size by default (5,000 reminders, beats for 300 s, Redis away 60 s, 20 bookings);
``--short`` is the size the test runs (tests/bench/test_drill.py).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from .checks import Finding
from .processes import ROOT, Processes, free_port
from .servers import PrivatePostgres, PrivateRedis

SCENARIOS = ("worker", "beats", "redis", "postgres", "web")


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make drill", description=__doc__)
    parser.add_argument(
        "--short",
        action="store_true",
        help="the test's size: 200 reminders, beats 20 s, Redis away 5 s",
    )
    parser.add_argument("--reminders", type=int, help="due SMS when the worker is killed (5000)")
    parser.add_argument("--beat-seconds", type=float, help="how long two beats run (300)")
    parser.add_argument("--redis-outage-seconds", type=float, help="Redis away (60)")
    parser.add_argument(
        "--bookings", type=int, default=20, help="concurrent bookings while Postgres restarts (20)"
    )
    parser.add_argument("--only", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    args = parser.parse_args(argv)
    short = {"reminders": 200, "beat_seconds": 20.0, "redis_outage_seconds": 5.0}
    full = {"reminders": 5000, "beat_seconds": 300.0, "redis_outage_seconds": 60.0}
    for name, value in (short if args.short else full).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    return args


class Drill:
    """The running drill: servers, processes, the world, a gunicorn when asked."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sms = folder / "sms"
        self.logs = folder / "logs"
        self.logs.mkdir(parents=True)
        self.postgres = PrivatePostgres()
        self.redis = PrivateRedis(folder / "redis")
        self.gunicorn = None
        self.port = None

    def prepare(self) -> None:
        """Migrate the template database (a no-op when it is current), copy it, set the
        environment every process of the drill shares and set Django up on it."""
        env = {
            **os.environ,
            "CLINIC_DEV": "1",
            "DATABASE_URL": self.postgres.ensure_template(),
            "REDIS_URL": self.redis.url,
        }
        subprocess.run(  # noqa: S603 - our interpreter, fixed arguments
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env,
            check=True,
        )  # fmt: skip
        os.environ.update({
            "CLINIC_DEV": "1",
            "DATABASE_URL": self.postgres.fresh_database("drill"),
            "REDIS_URL": self.redis.url,
            "CELERY_QUEUE": f"drill-{os.getpid()}",
            "CACHE_KEY_PREFIX": "drill",
            "SMS_BACKEND": "file",
            "SMS_FILE_PATH": str(self.sms),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "REMINDER_DISPATCH_EVERY_SECONDS": "1",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "clinic.settings",
        })  # fmt: skip
        import django

        django.setup()
        from . import world

        self.processes = Processes(dict(os.environ), self.logs)
        self.world = world.build()

    def world_reminders(self, count: int, spread_seconds: float = 0) -> list[int]:
        from . import world

        return world.due_reminders(self.world, count, spread_seconds=spread_seconds)

    def wait_for_worker(self, name: str, timeout_seconds: float = 60) -> None:
        import socket

        from clinic.celery import app

        destination = [f"drill-{name}@{socket.gethostname()}"]
        deadline = time.monotonic() + timeout_seconds
        while True:
            # A connection of its own each time: a pooled one may have died with our Redis.
            with app.connection_for_write() as connection:
                if app.control.ping(timeout=0.5, destination=destination, connection=connection):
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(f"Celery worker {name} did not start")

    def web_port(self, workers: int = 4, fresh: bool = False) -> int:
        if self.gunicorn is not None and (fresh or self.gunicorn.poll() is not None):
            self.processes.kill(self.gunicorn)
            self.gunicorn = None
        if self.gunicorn is None:
            self.port = free_port()
            self.gunicorn = self.processes.gunicorn(self.port, workers)
        return self.port

    def reconnect(self) -> None:
        from django.db import connection

        connection.close()

    def between_scenarios(self) -> None:
        self.processes.stop_all()
        self.gunicorn = None
        self.reconnect()

    def close(self) -> None:
        if hasattr(self, "processes"):
            self.processes.stop_all()
        self.reconnect_quietly()
        self.redis.stop()
        self.postgres.stop()

    def reconnect_quietly(self) -> None:
        try:
            self.reconnect()
        except Exception:  # noqa: S110 - Django may never have been set up
            pass


def run(drill: Drill, args: argparse.Namespace) -> list[Finding]:
    from . import reminders, web

    planned = {
        "worker": lambda: reminders.worker_killed(drill, args.reminders),
        "beats": lambda: reminders.two_beats(drill, args.reminders, args.beat_seconds),
        "redis": lambda: reminders.redis_stopped(drill, args.redis_outage_seconds),
        "postgres": lambda: web.postgres_restarted(drill, args.bookings),
        "web": lambda: web.web_worker_killed(drill),
    }
    findings = []
    for name in args.only:
        started = time.monotonic()
        try:
            finding = planned[name]()
        except Exception as error:  # a scenario that cannot finish is a failed scenario
            traceback.print_exc()
            finding = Finding(name, "(did not finish)", "", f"{type(error).__name__}: {error}",
                              False)  # fmt: skip
        finding.done += f" [{time.monotonic() - started:.0f} s]"
        findings.append(finding)
        print(f"drill: {finding.scenario}: {'pass' if finding.ok else 'FAIL'}", flush=True)
        drill.between_scenarios()
    return findings


def table(findings: list[Finding]) -> str:
    lines = ["| scenario | what was done | expected | found | result |", "|---|---|---|---|---|"]
    for f in findings:
        lines.append(f"| {f.scenario} | {f.done} | {f.expected} | {f.found} | "
                     f"{'pass' if f.ok else '**FAIL**'} |")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    args = arguments(argv)
    folder = Path(tempfile.mkdtemp(prefix="drill-"))
    drill = Drill(folder)
    try:
        drill.prepare()
        findings = run(drill, args)
    finally:
        drill.close()
    print(table(findings))
    print(f"logs: {drill.logs}" if not all(f.ok for f in findings) else "")
    if all(f.ok for f in findings):
        shutil.rmtree(folder, ignore_errors=True)
    return 0 if all(f.ok for f in findings) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
