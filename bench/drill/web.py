"""Scenarios of the web tier: Postgres restarted under 20 concurrent bookings, and a web
worker killed in the middle of a booking."""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid

from .checks import Finding, describe, sms_files, wait_until_settled, welcome_sms


class Api:
    """The booking API over plain HTTP, as a client would call it (token auth)."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.token = token

    def request(self, method: str, path: str, body: dict | None = None, *,
                key: str | None = None, timeout: float = 30) -> int:  # fmt: skip
        """The status code; 0 when no answer came (connection refused, reset or cut)."""
        headers = {"Authorization": f"Token {self.token}", "Content-Type": "application/json"}
        if key:
            headers["Idempotency-Key"] = key
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, json.dumps(body) if body else None, headers)
            return connection.getresponse().status
        except (OSError, http.client.HTTPException):
            return 0
        finally:
            connection.close()

    def book(self, booking: dict, key: str | None = None) -> int:
        return self.request("POST", "/api/v1/courses/", booking, key=key)


def rows_of(patient_pks) -> dict[int, dict[str, int]]:
    """Per patient: its courses, appointments, status-history rows and outbox rows."""
    from scheduling.models import Appointment, AppointmentStatusChange, Course, OutboundMessage

    empty = {"courses": 0, "appointments": 0, "history": 0, "outbox": 0}
    counts = {pk: dict(empty) for pk in patient_pks}
    tables = (
        ("courses", Course.objects, "patient_id"),
        ("appointments", Appointment.objects, "patient_id"),
        ("history", AppointmentStatusChange.objects, "appointment__patient_id"),
        ("outbox", OutboundMessage.objects, "appointment__patient_id"),
    )
    for name, manager, column in tables:
        for pk in manager.filter(**{f"{column}__in": patient_pks}).values_list(column, flat=True):
            counts[pk][name] += 1
    return counts


def whole_or_absent(counts: dict[str, int]) -> bool:
    if counts["courses"] == 0:
        return not any(counts.values())
    return (
        counts["courses"] == 1
        and counts["appointments"] == 1
        and counts["history"] >= 1
        and counts["outbox"] >= 1
    )


def postgres_restarted(drill, bookings: int = 20) -> Finding:
    """``bookings`` at once through gunicorn (4 workers); Postgres crash-restarted while they
    run. Each booking is whole or absent; afterwards the same gunicorn and worker serve and
    send without being restarted (connection health checks)."""
    drill.processes.worker("worker-pg")
    drill.wait_for_worker("worker-pg")
    drill.processes.beat("beat-pg")
    api = Api(drill.web_port(), drill.world.token)
    patients = drill.world.patients(bookings + 5)
    first, after = patients[:bookings], patients[bookings:]
    bodies = {p.pk: drill.world.booking(p) for p in first}
    answers: dict[int, int] = {}
    go = threading.Barrier(bookings + 1)

    def book(patient):
        go.wait()
        answers[patient.pk] = api.book(bodies[patient.pk])

    threads = [threading.Thread(target=book, args=(p,)) for p in first]
    for thread in threads:
        thread.start()
    go.wait()
    time.sleep(0.15)
    away = drill.postgres.restart()
    for thread in threads:
        thread.join()
    drill.reconnect()
    counts = rows_of(list(bodies))
    broken = [pk for pk, c in counts.items() if not whole_or_absent(c)]
    disagree = [pk for pk, status in answers.items()
                if (status == 201) != (counts[pk]["courses"] == 1)]  # fmt: skip
    # The same processes, not restarted: reads and bookings answer again.
    reads = [api.request("GET", "/api/v1/courses/") for _ in range(8)]
    later = [api.book(drill.world.booking(p)) for p in after]
    booked = [pk for pk, status in answers.items() if status == 201]
    booked += [p.pk for p, status in zip(after, later, strict=True) if status == 201]
    ids = welcome_sms(booked)
    settled = wait_until_settled(ids, timeout_seconds=60, quiet_seconds=20)
    files = sms_files(drill.sms)
    ok = (not broken and not disagree and all(s == 200 for s in reads)
          and all(s == 201 for s in later) and settled["sent"] == len(ids)
          and all(files.get(pk, 0) == 1 for pk in ids))  # fmt: skip
    outcome = {}
    for status in answers.values():
        outcome[status] = outcome.get(status, 0) + 1
    return Finding(
        "Postgres restarted",
        f"{bookings} bookings at once through gunicorn; Postgres stopped -m immediate and "
        f"started again ({away:.1f} s) while they ran; then 8 reads, {len(after)} bookings "
        "and their welcome SMS on the same gunicorn and worker",
        "each booking whole or absent, as answered; no orphan rows; app and worker recover "
        "without a restart",
        f"answers {dict(sorted(outcome.items()))} (0 = connection cut); half-written "
        f"{len(broken)}, answer and rows disagree {len(disagree)}; afterwards reads "
        f"{reads.count(200)}/8 OK, bookings {later.count(201)}/{len(after)}, welcome SMS "
        f"{describe(settled)}",
        ok,
    )


def web_worker_killed(drill) -> Finding:
    """A booking held inside its transaction (the outbox table is locked by the drill) while
    its gunicorn worker is SIGKILLed. The client gets no answer, nothing is written, and the
    retry with the same Idempotency-Key books once."""
    from django.db import connection

    from .processes import children_of

    port = drill.web_port(workers=1, fresh=True)
    api = Api(port, drill.world.token)
    (patient,) = drill.world.patients(1)
    body, key = drill.world.booking(patient), str(uuid.uuid4())
    answer: list[int] = []
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute("LOCK TABLE scheduling_outboundmessage IN EXCLUSIVE MODE")
        client = threading.Thread(target=lambda: answer.append(api.book(body, key=key)))
        client.start()
        waiting = _wait_for_lock_waiter(cursor)
        (worker_pid,) = children_of(drill.gunicorn)
        import os
        import signal

        os.kill(worker_pid, signal.SIGKILL)
        client.join(timeout=30)
        cursor.execute("ROLLBACK")
    time.sleep(1)  # the dead request's backend notices its client is gone
    counts = rows_of([patient.pk])[patient.pk]
    from .processes import wait_until_answering

    wait_until_answering(port, drill.gunicorn)
    retried = api.book(body, key=key)
    replayed = api.book(body, key=key)
    after = rows_of([patient.pk])[patient.pk]
    ok = (answer == [0] and waiting and not any(counts.values()) and retried == 201
          and replayed == 201 and after["courses"] == 1)  # fmt: skip
    return Finding(
        "web worker killed mid-request",
        "a booking held inside its transaction (outbox table locked), its gunicorn worker "
        "SIGKILLed; then the same request again with the same Idempotency-Key, twice",
        "the client gets no answer; nothing written; the retry books once, the second replays",
        f"client answer {answer[0] if answer else 'none'} (0 = connection cut); rows after "
        f"the kill {counts}; retry {retried}, again {replayed}; courses {after['courses']}",
        ok,
    )


def _wait_for_lock_waiter(cursor, timeout_seconds: float = 20) -> bool:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # fresh within our transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        if cursor.fetchone()[0]:
            return True
        time.sleep(0.05)
    return False
