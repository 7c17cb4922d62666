"""The drill's Celery worker, beats and gunicorn: each in a process group of its own, so
``kill(..., SIGKILL)`` takes the master and its children at once, as an OOM killer or a
lost host would."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class Processes:
    """Starts processes with the drill's environment and stops whatever is left at the end."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.running: list[subprocess.Popen] = []

    def start(self, name: str, argv: list[str], **extra_env: str) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(  # noqa: S603 - our interpreter, fixed arguments
            argv, cwd=ROOT, env={**self.env, **extra_env}, stdout=log, stderr=log,
            start_new_session=True,
        )  # fmt: skip
        self.running.append(process)
        return process

    def worker(self, name: str = "worker", concurrency: int = 2) -> subprocess.Popen:
        return self.start(name, [
            sys.executable, "-m", "celery", "-A", "clinic", "worker", "--loglevel=WARNING",
            f"--concurrency={concurrency}", "--without-heartbeat", "--without-mingle",
            "--without-gossip", "-Q", self.env["CELERY_QUEUE"], "-n", f"drill-{name}@%h",
        ])  # fmt: skip

    def beat(self, name: str) -> subprocess.Popen:
        schedule = self.logs / f"{name}-schedule"
        return self.start(name, [
            sys.executable, "-m", "celery", "-A", "clinic", "beat", "--loglevel=WARNING",
            "--schedule", str(schedule),
        ])  # fmt: skip

    def gunicorn(self, port: int, workers: int) -> subprocess.Popen:
        process = self.start("gunicorn", [
            sys.executable, "-m", "gunicorn", "clinic.wsgi", "--workers", str(workers),
            "--bind", f"127.0.0.1:{port}", "--timeout", "60", "--graceful-timeout", "5",
        ])  # fmt: skip
        wait_until_answering(port, process)
        return process

    def kill(self, process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                self.kill(process, signal.SIGTERM)
        self.running = []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_answering(port: int, process: subprocess.Popen, timeout_seconds=90) -> None:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited; see its log")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)  # noqa: S310
            return
        except urllib.error.HTTPError:
            return  # it answers (503 names what is missing; the scenarios check the rest)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer /healthz")


def children_of(process: subprocess.Popen) -> list[int]:
    import psutil

    return [child.pid for child in psutil.Process(process.pid).children()]
