"""What the scenarios count afterwards: rows by status, SMS files per row, and a row of the
table."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Finding:
    scenario: str
    done: str
    expected: str
    found: str
    ok: bool


def sms_files(folder: Path) -> Counter:
    """Files written by the file SMS backend, per outbox row id."""
    counts: Counter = Counter()
    for path in folder.glob("*.json"):
        reference = json.loads(path.read_text())["reference"]
        counts[int(reference.removeprefix("outbound-"))] += 1
    return counts


def statuses(ids) -> Counter:
    from django.db.models import Count

    from scheduling.models import OutboundMessage

    rows = OutboundMessage.objects.filter(pk__in=list(ids)).values_list("status")
    return Counter(dict(rows.annotate(n=Count("pk")).order_by()))


def unknown_outcome(ids) -> list[int]:
    from scheduling.models import OutboundMessage
    from scheduling.reminders.dispatch import UNKNOWN_OUTCOME

    rows = OutboundMessage.objects.filter(pk__in=list(ids), status="failed", reason=UNKNOWN_OUTCOME)
    return list(rows.values_list("pk", flat=True))


def wait_until_settled(ids, timeout_seconds: float, quiet_seconds: float = 3.0) -> Counter:
    """Wait until no row of ``ids`` is pending or sending, or until nothing has moved for
    ``quiet_seconds`` (what is left then is stuck), or the timeout."""
    deadline = time.monotonic() + timeout_seconds
    last, still_since = None, time.monotonic()
    while True:
        now = statuses(ids)
        if not now["pending"] and not now["sending"]:
            return now
        if now != last:
            last, still_since = now, time.monotonic()
        elif time.monotonic() - still_since > quiet_seconds or time.monotonic() > deadline:
            return now
        time.sleep(0.3)


def later_sweep() -> tuple[int, int]:
    """The sweep as it runs once the claim timeout has passed (the clock moved on by the
    timeout and a minute): stuck rows are released or marked of unknown outcome, and the
    released ones handed over again. (released, failed)."""
    import datetime

    from django.conf import settings
    from django.utils import timezone

    from scheduling.reminders.dispatch import dispatch_due, reclaim_stuck

    later = timezone.now() + datetime.timedelta(minutes=settings.REMINDER_CLAIM_TIMEOUT_MINUTES + 1)
    result = reclaim_stuck(now=later)
    dispatch_due(max_batches=10_000)
    return result


def sent_twice(files: Counter, ids) -> list[int]:
    wanted = set(ids)
    return [pk for pk, n in files.items() if n > 1 and pk in wanted]


def describe(counts: Counter) -> str:
    return ", ".join(f"{status} {n}" for status, n in sorted(counts.items())) or "none"


def welcome_sms(patient_pks) -> list[int]:
    """The welcome SMS rows of these patients' bookings."""
    from scheduling.models import OutboundMessage

    rows = OutboundMessage.objects.filter(
        appointment__patient__in=patient_pks, kind="welcome", channel="sms"
    )
    return list(rows.values_list("pk", flat=True))
