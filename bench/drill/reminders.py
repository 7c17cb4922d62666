"""Scenarios of the reminder path: the worker killed mid-send, two beats at once, Redis
stopped during bookings and sends."""

from __future__ import annotations

import threading
import time

from .checks import (
    Finding,
    describe,
    later_sweep,
    sent_twice,
    sms_files,
    statuses,
    unknown_outcome,
    wait_until_settled,
    welcome_sms,
)
from .web import Api


def worker_killed(drill, reminders: int) -> Finding:
    """kill -9 the worker (its whole process group) in the middle of ``reminders`` due SMS,
    start a new one: every row ends sent or "failed, outcome unknown", none sent twice."""
    from scheduling.reminders.dispatch import dispatch_due

    ids = drill.world_reminders(reminders)
    worker = drill.processes.worker("worker-1")
    drill.wait_for_worker("worker-1")
    dispatch_due(max_batches=10_000)
    deadline = time.monotonic() + 120
    while len(sms_files(drill.sms)) < reminders // 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    at_kill = len(sms_files(drill.sms))
    drill.processes.kill(worker)
    drill.processes.worker("worker-2")
    drill.wait_for_worker("worker-2")
    settled = wait_until_settled(ids, timeout_seconds=300)
    stuck = settled["sending"] + settled["pending"]
    released, failed = later_sweep()  # the rows the dead worker held, after the claim timeout
    final = wait_until_settled(ids, timeout_seconds=300)
    files = sms_files(drill.sms)
    twice = sent_twice(files, ids)
    unknown = unknown_outcome(ids)
    lost = sent_without_file(files, ids)
    ok = final["sent"] + len(unknown) == reminders and not twice and not lost
    return Finding(
        "worker kill -9 mid-send",
        f"{reminders} due SMS; worker group SIGKILLed after {at_kill} files; new worker; "
        f"{stuck} rows left held by the dead worker, then the sweep after the claim timeout "
        f"(released {released}, unknown {failed})",
        "every row sent or failed (outcome unknown); no row sent twice",
        f"{describe(final)}; unknown outcome {len(unknown)}; SMS files {sum(files.values())}, "
        f"rows sent twice {len(twice)}, marked sent without a file {len(lost)}",
        ok,
    )


def sent_without_file(files, ids) -> list[int]:
    from scheduling.models import OutboundMessage

    sent = OutboundMessage.objects.filter(pk__in=list(ids), status="sent")
    return [pk for pk in sent.values_list("pk", flat=True) if not files.get(pk)]


def two_beats(drill, reminders: int, seconds: float) -> Finding:
    """Two ``celery beat`` processes at once, each sweeping every second (a minute's sweep),
    for ``seconds``, while ``reminders`` SMS come due one after another."""
    ids = drill.world_reminders(reminders, spread_seconds=seconds * 0.8)
    drill.processes.worker("worker-beats")
    drill.wait_for_worker("worker-beats")
    beats = [drill.processes.beat(f"beat-{n}") for n in (1, 2)]
    time.sleep(seconds)
    alive = sum(beat.poll() is None for beat in beats)
    for beat in beats:
        drill.processes.kill(beat)
    final = wait_until_settled(ids, timeout_seconds=120)
    files = sms_files(drill.sms)
    twice = sent_twice(files, ids)
    ok = final["sent"] == reminders and not twice and alive == 2
    return Finding(
        "two beats at once",
        f"2 beat processes, a sweep each every 1 s for {seconds:.0f} s; {reminders} SMS "
        "coming due throughout",
        "all sent, each exactly once",
        f"{describe(final)}; SMS files {sum(files.get(pk, 0) for pk in ids)}, rows sent twice "
        f"{len(twice)}; beats alive to the end {alive}/2",
        ok,
    )


def redis_stopped(drill, outage_seconds: float) -> Finding:
    """Bookings through gunicorn every half second before, during and after ``outage_seconds``
    without Redis; a worker and a beat run throughout. Bookings succeed; the welcome SMS of
    every booking goes out once Redis is back."""
    drill.processes.worker("worker-redis")
    drill.wait_for_worker("worker-redis")
    drill.processes.beat("beat-redis")
    api = Api(drill.web_port(), drill.world.token)
    patients = drill.world.patients(int(outage_seconds * 2 + 16))
    answers: list[tuple[int, float, int]] = []  # (patient, when, status)
    stop = threading.Event()

    def book_steadily():
        for patient in patients:
            if stop.is_set():
                return
            answers.append((patient.pk, time.monotonic(), api.book(drill.world.booking(patient))))
            time.sleep(0.5)

    booker = threading.Thread(target=book_steadily)
    booker.start()
    time.sleep(3)
    drill.redis.stop()
    down_at = time.monotonic()
    time.sleep(outage_seconds)
    drill.redis.start()
    up_at = time.monotonic()
    time.sleep(4)
    stop.set()
    booker.join()
    booked = [pk for pk, _, status in answers if status == 201]
    during = [s for _, when, s in answers if down_at <= when < up_at]
    ids = welcome_sms(booked)
    settled = wait_until_settled(ids, timeout_seconds=90, quiet_seconds=15)
    waited = settled["sending"] + settled["pending"]
    if waited:
        later_sweep()
        settled = wait_until_settled(ids, timeout_seconds=60)
    files = sms_files(drill.sms)
    twice = sent_twice(files, ids)
    ok = (len(booked) == len(answers) and settled["sent"] == len(ids) and not twice
          and during and all(s == 201 for s in during))  # fmt: skip
    return Finding(
        "Redis stopped",
        f"Redis down {outage_seconds:.0f} s (SIGTERM, queue lost) while booking every 0.5 s "
        "through gunicorn and sending; worker and beat kept running",
        "every booking 201; every welcome SMS sent after Redis returns, once",
        f"bookings {len(booked)}/{len(answers)} (during the outage {during.count(201)}/"
        f"{len(during)}); welcome SMS {describe(settled)}, {waited} of them only after the "
        f"claim timeout; sent twice {len(twice)}",
        ok,
    )


__all__ = ["worker_killed", "two_beats", "redis_stopped", "statuses"]
