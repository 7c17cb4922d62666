"""Database connections under load: `make run`'s web process and production's gunicorn
give their connections back, and /healthz reports a database that refuses new clients."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from rest_framework.authtoken.models import Token

from clinic import devservices

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = 300
BURST = 50
# runserver closes each request's connection; gunicorn's sync workers keep one each.
GUNICORN_WORKERS = 2


def maintenance_connection():
    """A connection to the server's ``postgres`` database (a database cannot change its own
    ALLOW_CONNECTIONS)."""
    database = connection.settings_dict
    maintenance = psycopg2.connect(
        dbname="postgres",
        user=database["USER"],
        password=database.get("PASSWORD") or None,
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
    )
    maintenance.autocommit = True
    return maintenance


@pytest.mark.django_db
def test_healthz_reports_a_database_that_refuses_new_connections_as_503(client):
    """The request's own connection still works; a new client is refused. /healthz must
    report what a new request would meet, not what its persistent connection sees."""
    name = connection.settings_dict["NAME"]
    maintenance = maintenance_connection()
    try:
        with maintenance.cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
            try:
                response = client.get(reverse("healthz"))
            finally:
                cursor.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
    finally:
        maintenance.close()
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable: OperationalError"
    assert response.json()["status"] == "unavailable"


def test_runserver_closes_each_request_connection_even_when_conn_max_age_is_set():
    """The settings decide this from the command line, not from an environment variable a
    developer may have set in .env."""
    code = "import sys; sys.argv = ['manage.py', 'runserver']; " + (
        "from clinic import settings as s; print(s.DATABASES['default']['CONN_MAX_AGE'])"
    )
    env = {**os.environ, "DATABASE_CONN_MAX_AGE": "600"}
    result = subprocess.run(  # noqa: S603 - our interpreter, fixed arguments
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.strip() == "0", result.stderr


def procfile_web_command() -> str:
    text = (ROOT / "Procfile.dev").read_text()
    return re.search(r"^web:\s*(.+)$", text, re.MULTILINE).group(1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(command: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "CLINIC_DEV": "1",
        "DATABASE_URL": devservices.database_url(connection.settings_dict),
        "REDIS_URL": settings.REDIS_URL,
        "WEB_PORT": str(port),
        # As a developer's .env might: persistent connections asked for.
        "DATABASE_CONN_MAX_AGE": "60",
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    return subprocess.Popen(  # noqa: S603 - fixed command from the Procfile / README
        ["sh", "-c", f"exec {command}"], cwd=ROOT, env=env, start_new_session=True
    )


def wait_until_answering(port: int, process: subprocess.Popen, timeout_seconds=120) -> None:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)  # noqa: S310
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    pytest.fail("the server did not answer /healthz")


def stop_server(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def api_get(port: int, token: str) -> int:
    request = urllib.request.Request(  # noqa: S310 - loopback only
        f"http://127.0.0.1:{port}/api/v1/locations/",
        headers={"Authorization": f"Token {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def connections_to_test_database() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"]],
        )
        return cursor.fetchone()[0]


def settled_connection_count(bound: int, timeout_seconds: float = 10) -> int:
    deadline = time.monotonic() + timeout_seconds
    count = connections_to_test_database()
    while count > bound and time.monotonic() < deadline:
        time.sleep(0.5)
        count = connections_to_test_database()
    return count


SERVERS = {
    "make run's web process (Procfile.dev)": (procfile_web_command(), 3),
    "production's gunicorn (README)": (
        f"gunicorn clinic.wsgi --workers {GUNICORN_WORKERS} --bind 127.0.0.1:$WEB_PORT",
        GUNICORN_WORKERS + 1,
    ),
}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("server", SERVERS, ids=["runserver", "gunicorn"])
def test_a_few_hundred_parallel_api_requests_leave_a_small_bounded_number_of_connections(
    server, nurse
):
    command, bound = SERVERS[server]
    token = Token.objects.create(user=nurse).key
    before = connections_to_test_database()
    port = free_port()
    process = start_server(command, port)
    try:
        wait_until_answering(port, process)
        statuses = []
        with ThreadPoolExecutor(max_workers=BURST) as pool:
            for _ in range(REQUESTS // BURST):
                statuses += list(pool.map(lambda _: api_get(port, token), range(BURST)))
        after = settled_connection_count(before + bound)
    finally:
        stop_server(process)
    assert set(statuses) == {200}, statuses
    assert after <= before + bound, f"{after} connections left open by {server}"


def test_every_connection_plans_without_jit_and_for_ssd_storage(db):
    """At Postgres's defaults the load benchmark's slowest queries spent seconds compiling
    (JIT) and a report read every appointment of the network: the app's connections set
    both for themselves (clinic/settings.py), whatever the server's configuration."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone() == ("1.1",)
