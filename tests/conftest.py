"""Named staff shared by every test: a front-desk user, two nurses, a physician, an admin."""

import os
import shutil

import pytest

from clinic.roles import Role

from .factories import TEST_PASSWORD, LocationFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by
# fixtures in that same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


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


@pytest.fixture
def password():
    return TEST_PASSWORD


@pytest.fixture
def login(client):
    """``login(user)`` -> the test client, logged in as that user."""

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
    import subprocess
    import sys
    import time
    from urllib.parse import quote

    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    host = db["HOST"]
    host_part = quote(host, safe="") if host.startswith("/") else host
    port = f":{db['PORT']}" if db.get("PORT") else ""
    auth = db["USER"] + (f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else "")
    env = {
        **os.environ,
        "CLINIC_DEV": "1",
        "DATABASE_URL": f"postgres://{auth}@{host_part}{port}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "clinic",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "-Q",
            settings.CELERY_TASK_DEFAULT_QUEUE,
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        env=env,
    )
    from clinic.celery import app

    worker_name = f"test-{os.getpid()}@{os.uname().nodename}"
    deadline = time.monotonic() + 60
    while True:
        replies = app.control.ping(timeout=0.5, destination=[worker_name])
        if replies:
            break
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("The test Celery worker did not start")
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


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
