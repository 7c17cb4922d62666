"""Named staff shared by every test: a front-desk user, two nurses, a physician, an admin."""

import os
import shutil
import subprocess

import pytest

from clinic.roles import Role

from .factories import TEST_PASSWORD, LocationFactory, UserFactory

# Fixtures shared across directories (pytest reads pytest_plugins only in this root conftest).
pytest_plugins = [
    "tests.fixtures.orders",
    "tests.fixtures.charting",
    "tests.fixtures.drug_log",
    "tests.fixtures.scheduling",
]

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by
# fixtures in that same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    """``CLINIC_TEST_NOW`` (ISO 8601 with its offset, e.g. ``2026-12-06T00:45-08:00``) runs
    the suite as if it were then, the clock ticking from there: what depends on the time of
    day (quiet hours, a visit two hours ahead that falls tomorrow) shows up on demand rather
    than when CI happens to run at night. Postgres's own ``now()`` and the real Celery worker's
    clock are not moved, so the few tests that compare them with Python's (a stage's time
    until ``now()``, the worker's sweep) fail under it; nothing else should."""
    moment = os.environ.get("CLINIC_TEST_NOW")
    if moment:
        import datetime

        import time_machine

        time_machine.travel(datetime.datetime.fromisoformat(moment), tick=True).start()


def pytest_sessionstart(session):
    """Build the translations when a .po is newer than its .mo (`make install` does the same;
    the .mo files are never committed), so a bare pytest run speaks Spanish too."""
    from pathlib import Path

    for po in Path(__file__).resolve().parent.parent.glob("locale/*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if shutil.which("msgfmt") and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
            subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)


@pytest.fixture
def site(db):
    return LocationFactory(name="Irvine", code="irvine")


@pytest.fixture
def other_site(db):
    return LocationFactory(name="San Diego", code="san-diego")


@pytest.fixture
def front_desk(site):
    return UserFactory(username="frontdesk", role=Role.FRONT_DESK, locations=[site])


@pytest.fixture
def nurse(site):
    return UserFactory(username="nurse", role=Role.NURSE, locations=[site])


@pytest.fixture
def second_nurse(site):
    return UserFactory(username="nurse2", role=Role.NURSE, locations=[site])


@pytest.fixture
def physician(site):
    return UserFactory(username="physician", role=Role.PHYSICIAN, locations=[site])


@pytest.fixture
def clinic_admin(site):
    return UserFactory(username="admin", role=Role.CLINIC_ADMIN, locations=[site])


@pytest.fixture(autouse=True)
def no_n_plus_one_in_views(monkeypatch, settings):
    """Every request of the test client runs with django-zeal switched on (dev settings add
    the app; ZEAL=0 leaves it out): a view that runs the same query once per row raises
    ZealError, which fails the test. Deliberate repeats: ``clinic.queries.bounded_repeats``,
    or settings.ZEAL_ALLOWLIST with their reason."""
    if "zeal" not in settings.INSTALLED_APPS:
        return
    from django.test.client import ClientHandler
    from zeal import zeal_context

    original = ClientHandler.get_response

    def get_response(self, request):
        with zeal_context():
            return original(self, request)

    monkeypatch.setattr(ClientHandler, "get_response", get_response)


@pytest.fixture
def password():
    return TEST_PASSWORD


@pytest.fixture(autouse=True)
def force_login_passes_two_factor(monkeypatch):
    """``client.force_login`` skips the password, and for a physician, a clinic admin or
    anyone with a device, the code step too: the session is verified as django_otp.login
    leaves it, with a confirmed test device. The real steps are tested in
    tests/clinic/test_two_factor.py through the login page."""
    from django.test import Client

    from tests import two_factor

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if two_factor.needs_code(user):
            two_factor.verify_session(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def login(client):
    """``login(user)`` -> the test client, logged in as that user (two-factor verified for
    the roles that need it)."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    """A real Celery worker process on the real Redis, using the test database.

    It consumes this run's own queue (CELERY_QUEUE, unique per ``make test``), so a
    developer's ``make run`` worker on the same Redis never takes the tests' tasks.
    """
    from django.conf import settings
    from django.db import connection

    from clinic import devservices
    from clinic.celery import app

    name = f"test-{os.getpid()}"
    process = devservices.start_celery_worker(
        database=connection.settings_dict,
        queue=settings.CELERY_TASK_DEFAULT_QUEUE,
        name=name,
        extra_env={"REDIS_URL": settings.REDIS_URL},
    )
    devservices.wait_for_worker(app, process, name)
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def daytime():
    """The clock at 10:00 Los Angeles today, ticking, for tests whose visits must stay on
    today's board and whose sends must fall outside quiet hours (21:00-08:00), whatever time
    of day the suite runs (CI at 23:55 crossed midnight mid-test)."""
    import datetime
    from zoneinfo import ZoneInfo

    import time_machine
    from django.utils import timezone

    ten = datetime.datetime.combine(
        timezone.localdate(), datetime.time(10), tzinfo=ZoneInfo("America/Los_Angeles")
    )
    with time_machine.travel(ten, tick=True):
        yield


@pytest.fixture(autouse=True)
def no_federal_holidays(request, monkeypatch):
    """Most tests book on real upcoming dates, which may be a federal holiday (12/25, 1/1):
    the holiday calendar is off unless a test is marked ``federal_holidays``."""
    if request.node.get_closest_marker("federal_holidays") is None:
        monkeypatch.setattr("scheduling.closures.federal_holiday", lambda day: None)
        monkeypatch.setattr("scheduling.closures.federal_holidays_between", lambda s, e: {})


@pytest.fixture(autouse=True)
def reports_computed_each_time(settings):
    """The reports' numbers are not kept between requests (reports.kept): a test that
    changes data and reads a report again reads the change, and the Redis cache outlives
    the test database. tests/reports/test_kept.py turns the keeping on."""
    settings.REPORTS_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


BROWSER_EXECUTABLE = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(BROWSER_EXECUTABLE):
        if os.environ.get("CI"):
            pytest.fail(f"{BROWSER_EXECUTABLE} is missing; .ci/run installs Debian's chromium")
        pytest.skip(f"{BROWSER_EXECUTABLE} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=BROWSER_EXECUTABLE,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture(autouse=True)
def chair_clock_restored():
    """Stops the clock moves of ``tests.chair_clock.advance`` after each test."""
    from tests.chair_clock import stop_all

    yield
    stop_all()
