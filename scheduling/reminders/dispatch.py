"""The sweep: claim due rows, then hand them to send tasks after the claim is committed.

Two sweeps at once (two beat processes, a beat and a kick) never claim the same row:
``select_for_update(skip_locked=True)`` lets each take rows the other has not locked, and
the claim (status ``sending``) is committed before any task is published.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import KombuError, OperationalError

from clinic.celery import app

from ..models import MessageStatus, OutboundMessage

logger = logging.getLogger(__name__)

# The tasks this module publishes, by name: ``scheduling.tasks`` calls the reminder modules,
# never the other way, so the modules name the tasks rather than import them.
DISPATCH_TASK = "scheduling.tasks.reminders_dispatch"
SEND_BATCH_TASK = "scheduling.tasks.reminder_send_batch"

BROKER_TIMEOUT_SECONDS = 2.0
UNKNOWN_OUTCOME = (
    "The worker stopped while sending: the message may or may not have arrived. "
    "Check with the patient before retrying."
)


def claim_due(limit: int | None = None, now: datetime.datetime | None = None) -> list[int]:
    """Mark up to ``limit`` due pending rows as ``sending``; return their ids.

    Runs in the caller's transaction when there is one; the claim holds once it commits.
    """
    now = now or timezone.now()
    limit = limit or settings.REMINDER_DISPATCH_BATCH
    with transaction.atomic():
        ids = list(
            OutboundMessage.objects.select_for_update(skip_locked=True)
            .filter(status=MessageStatus.PENDING, send_at__lte=now)
            .order_by("send_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        OutboundMessage.objects.filter(pk__in=ids).update(
            status=MessageStatus.SENDING, claimed_at=now, reason=""
        )
    return ids


def reclaim_stuck(now: datetime.datetime | None = None) -> tuple[int, int]:
    """Rows claimed long ago and still ``sending``: their task was lost or their worker died.

    Never started: back to pending, to be claimed again. Started but never finished: the
    provider may have taken it, so it becomes failed (visible, retried by a person), never
    sent twice by us. Returns (released, failed).
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=settings.REMINDER_CLAIM_TIMEOUT_MINUTES)
    stuck = OutboundMessage.objects.filter(status=MessageStatus.SENDING, claimed_at__lt=cutoff)
    released = stuck.filter(attempt_started_at=None).update(
        status=MessageStatus.PENDING, claimed_at=None, reason="Claimed but never sent; requeued"
    )
    failed = stuck.exclude(attempt_started_at=None).update(
        status=MessageStatus.FAILED, attempt_started_at=None, reason=UNKNOWN_OUTCOME
    )
    if released or failed:
        logger.warning("Reclaimed %s stuck reminder(s), %s of unknown outcome", released, failed)
    return released, failed


def publish(task: str, arg_lists: list[tuple]) -> bool:
    """Publish one message of the task named ``task`` per argument tuple over one broker
    connection.

    Uses settings.CELERY_BROKER_URL as it is now and gives up at once (no retry loop) when
    the broker does not answer, so a request never hangs on Redis. Returns False then;
    the messages published before the failure stand.
    """
    return publish_each(task, arg_lists) == len(arg_lists)


def publish_each(task: str, arg_lists: list[tuple]) -> int:
    signature = app.signature(task)
    published = 0
    try:
        with app.connection_for_write(
            settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT_SECONDS
        ) as connection:
            connection.ensure_connection(max_retries=1)
            producer = app.amqp.Producer(connection)
            for args in arg_lists:
                # ignore_result: no task of ours returns anything to wait for. Without it a
                # process that has not imported the task (gunicorn) subscribes to a result
                # channel per message, and with Redis down that subscription retries for
                # 20 s inside the booking (found by the fault drill, bench/drill).
                signature.apply_async(args=args, producer=producer, retry=False, ignore_result=True)
                published += 1
    except (OperationalError, KombuError, OSError) as error:
        logger.warning("Broker unreachable after %s message(s): %s", published, error)
    return published


# Rows per send task: see tasks.reminder_send_batch for why the sweep batches.
SEND_BATCH = 50


def hand_over(ids: list[int]) -> None:
    """Publish the claimed rows to send tasks, SEND_BATCH rows a task; rows that could not
    be published go back to pending at once, so a broker outage loses nothing and needs no
    reclaim."""
    batches = [ids[i : i + SEND_BATCH] for i in range(0, len(ids), SEND_BATCH)]
    published = publish_each(SEND_BATCH_TASK, [(batch,) for batch in batches])
    unpublished = [pk for batch in batches[published:] for pk in batch]
    if unpublished:
        OutboundMessage.objects.filter(
            pk__in=unpublished, status=MessageStatus.SENDING, attempt_started_at=None
        ).update(status=MessageStatus.PENDING, claimed_at=None, reason="Broker unreachable")


def dispatch_due(max_batches: int = 40) -> int:
    """The periodic task's body: reclaim stuck rows, then claim and hand over due ones in
    batches, each handed over after its own commit. Returns how many were claimed."""
    reclaim_stuck()
    claimed = 0
    for _ in range(max_batches):
        with transaction.atomic():
            ids = claim_due()
            if ids:
                transaction.on_commit(lambda ids=ids: hand_over(ids))
        claimed += len(ids)
        if len(ids) < settings.REMINDER_DISPATCH_BATCH:
            break
    return claimed
