"""Reminders through a real Celery worker and real Redis: sent once, never lost.

The session's worker (tests/conftest.py) inherits this process's environment when it
starts, which is after every test module has been imported: the lines below make it send
through the file backends, into the folders that settings name (.local/ by default).
"""

import os

os.environ["SMS_BACKEND"] = "file"
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"

import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import override_settings  # noqa: E402

from clinic import devservices  # noqa: E402
from scheduling.models import MessageStatus, OutboundMessage  # noqa: E402
from scheduling.reminders import dispatch  # noqa: E402

from .reminders.helpers import (  # noqa: E402
    book,
    bookable_site,
    consenting_patient,
    local_at,
    make_due,
    sms_files,
)

S = MessageStatus
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def default_rules(transactional_db):
    from scheduling.models import MessageTemplate, ReminderRule
    from scheduling.reminders.defaults import seed_defaults

    seed_defaults(ReminderRule, MessageTemplate)


@pytest.fixture
def clinic(front_desk):
    return bookable_site()


def wait_for(condition, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the worker")
        time.sleep(0.1)


def settled(ids) -> bool:
    waiting = OutboundMessage.objects.filter(pk__in=ids, status__in=[S.PENDING, S.SENDING])
    return not waiting.exists()


def emails_to(folder, to: str) -> list[str]:
    """Every message the file backend wrote to `to`, one per message, not one per file.

    Django's file backend names a file by the second and the connection object's id and
    appends to it, so two sends in one second whose connections share an address land in one
    file, each message followed by a line of 79 dashes.
    """
    texts = [p.read_text() for p in Path(folder).glob("*.log")]
    messages = [m for t in texts for m in t.split("-" * 79 + "\n") if m.strip()]
    return [m for m in messages if f"To: {to}" in m]


def test_a_real_worker_sends_a_due_reminder_by_sms_and_email(
    celery_worker, settings, clinic, protocol, front_desk
):
    site, chair, nurse = clinic
    patient = consenting_patient(site, nurse)
    appointment = book(patient, site, chair, nurse, protocol, front_desk, local_at(site, 3, 12))
    ids = make_due(appointment, kind="appointment")
    dispatch.dispatch_due()
    wait_for(lambda: settled(ids))
    assert set(OutboundMessage.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        S.SENT
    }
    wait_for(lambda: settled(appointment.messages.filter(kind="welcome").values("pk")))
    texts = sms_files(settings.SMS_FILE_PATH, str(patient.phone))
    assert len(texts) == 3  # 48 h, 24 h and the welcome
    assert all("/c/" in t["body"] for t in texts)
    assert len(emails_to(settings.EMAIL_FILE_PATH, patient.email)) == 3


def test_a_rolled_back_booking_sends_nothing(celery_worker, settings, clinic, protocol, front_desk):
    site, chair, nurse = clinic
    patient = consenting_patient(site, nurse)
    with pytest.raises(RuntimeError), transaction.atomic():
        book(patient, site, chair, nurse, protocol, front_desk, local_at(site, 1, 8))
        raise RuntimeError("rolled back after booking")
    dispatch.dispatch_due()
    time.sleep(1.0)
    assert not OutboundMessage.objects.exists()
    assert not sms_files(settings.SMS_FILE_PATH, str(patient.phone))


def test_two_sweeps_at_once_send_each_message_once(
    celery_worker, settings, clinic, protocol, front_desk
):
    site, chair, nurse = clinic
    patients, ids = [], []
    for day in range(3, 8):  # far enough ahead for both the 48 h and the 24 h reminder
        patient = consenting_patient(site, nurse)
        appointment = book(
            patient, site, chair, nurse, protocol, front_desk, local_at(site, day, 10)
        )
        patients.append(patient)
        ids += make_due(appointment)
    start, claimed = threading.Barrier(2), []

    def sweep():
        start.wait()
        try:
            claimed.append(dispatch.claim_due())
            for batch in claimed[-1:]:
                dispatch.hand_over(batch)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # No row is claimed by both (the worker's own kicked sweep may take some as well).
    assert not set(claimed[0]) & set(claimed[1])
    wait_for(lambda: settled(ids))
    for patient in patients:
        texts = sms_files(settings.SMS_FILE_PATH, str(patient.phone))
        references = [t["reference"] for t in texts]
        assert len(references) == len(set(references)) == 4  # 48 h, 24 h, escort, welcome


def worker_process(redis_url: str, queue: str, sms_folder: Path) -> subprocess.Popen:
    return devservices.start_celery_worker(
        database=connection.settings_dict,
        queue=queue,
        name=f"redis-outage-{uuid.uuid4().hex[:8]}",
        extra_env={"REDIS_URL": redis_url, "SMS_BACKEND": "file", "SMS_FILE_PATH": str(sms_folder)},
    )


def test_with_redis_stopped_booking_succeeds_quickly_and_reminders_go_out_once_it_is_back(
    settings, clinic, protocol, front_desk, tmp_path
):
    site, chair, nurse = clinic
    patient = consenting_patient(site, nurse)
    folder = tmp_path / "redis"
    redis_url = f"redis+socket://{devservices.start_redis(folder)}"
    devservices.stop_redis(folder)
    with override_settings(CELERY_BROKER_URL=redis_url):
        started = time.monotonic()
        appointment = book(patient, site, chair, nurse, protocol, front_desk, local_at(site, 3, 9))
        assert time.monotonic() - started < 3.0  # the kick after commit gave up at once
        due = make_due(appointment, kind="appointment", channel="sms") + list(
            appointment.messages.filter(kind="welcome").values_list("pk", flat=True)
        )
        dispatch.dispatch_due()  # claims, cannot hand over, releases
    assert set(appointment.messages.values_list("status", flat=True)) == {S.PENDING}
    assert "Broker unreachable" in OutboundMessage.objects.get(pk=due[0]).reason

    devservices.start_redis(folder)
    worker = worker_process(redis_url, settings.CELERY_TASK_DEFAULT_QUEUE, tmp_path / "sms")
    try:
        with override_settings(CELERY_BROKER_URL=redis_url):
            assert dispatch.dispatch_due() == len(due)
        wait_for(lambda: settled(due), timeout=60)
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        devservices.stop_redis(folder)
    assert set(OutboundMessage.objects.filter(pk__in=due).values_list("status", flat=True)) == {
        S.SENT
    }
    assert len(sms_files(tmp_path / "sms", str(patient.phone))) == 3  # 48 h, 24 h, welcome


def test_a_worker_whose_database_connection_was_cut_sends_the_next_reminders(
    celery_worker, clinic, protocol, front_desk
):
    """Found by the fault drill (bench/drill, "Postgres restarted"): after Postgres dropped
    its connection, a worker failed every task with "connection already closed" until Celery
    recycled the connection 2,000 tasks later. Each task now starts with Django's request
    check (clinic/celery.py), so the connection is replaced at once."""
    site, chair, nurse = clinic
    patient = consenting_patient(site, nurse)
    appointment = book(patient, site, chair, nurse, protocol, front_desk, local_at(site, 3, 12))
    first = make_due(appointment, kind="appointment")
    dispatch.dispatch_due()
    wait_for(lambda: settled(first))  # the worker now holds a connection
    with connection.cursor() as cursor:  # as a Postgres restart or failover would
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    later = make_due(appointment, kind="escort_patient")
    assert later
    for _ in range(2):  # the first sweep may meet the cut connection before the check ran
        dispatch.dispatch_due()
        time.sleep(1)
    wait_for(lambda: settled(later))
    statuses = OutboundMessage.objects.filter(pk__in=later).values_list("status", flat=True)
    assert set(statuses) <= {S.SENT, S.SKIPPED}
