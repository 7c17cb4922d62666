"""Celery tasks of scheduling. They take ids, load rows and are safe to run twice."""

from celery import shared_task

from .reminders import delivery, dispatch


@shared_task(ignore_result=True)
def reminders_dispatch() -> int:
    """Beat runs this every minute: reclaim stuck rows, claim due ones, hand them over."""
    return dispatch.dispatch_due()


@shared_task(bind=True, ignore_result=True, acks_late=True, max_retries=None)
def reminder_send(self, message_id: int) -> str:
    """Send one claimed outbox row, at most once. Provider errors are retried with
    exponential backoff, then the row is marked failed for the front desk to see."""
    try:
        return delivery.send_one(message_id, self.request.retries)
    except delivery.RetryLater as retry:
        raise self.retry(exc=retry.error, countdown=retry.countdown_seconds) from retry.error


@shared_task(ignore_result=True, acks_late=True)
def reminder_send_batch(message_ids: list[int]) -> dict[str, int]:
    """Send a few claimed rows (dispatch.SEND_BATCH), each exactly as ``reminder_send`` would.

    Why a batch and not one task per row: on a 2-core host the broker round trip, the
    prefork hand-off, the ack and the per-row reads of one Celery message per row cost more
    than sending the row; one message per few dozen rows is what lets 10,000 due reminders
    go out in well under 30 s. The rows and their patients' consents are read in one query
    each; the rules are still applied per row at its turn.

    The guarantees stay per row: each row is prepared (its attempt committed as started),
    delivered and marked on its own, with the same conditional UPDATEs, so a redelivered
    batch (late ack) sends nothing twice. The only difference is when a row's "sent" mark
    commits: in the same statement as the next row's start (sending.prepare_loaded's
    ``mark``), before that row is delivered, since a commit (WAL flush) and a round trip
    cost more than the rest of the row; at any provider call the rows stand exactly as
    they would with one task per row. So one durable commit per row, the attempt's start,
    and no other: the mark riding with it costs nothing more, and the batch's last mark
    (no next row) commits without waiting for the disk (sending.mark_sent_async: losing it
    can only turn a sent row into "failed, outcome unknown", never into a second send).

    A row that fails never stops the others: a transient provider error hands that row
    alone to ``reminder_send`` as its first retry (same backoff, same attempt count); any
    other error is logged and leaves the row in ``sending`` for the reclaim sweep, as a
    crashed single-row task would.
    """

    def retry_later(message_id: int, countdown_seconds: int) -> None:
        reminder_send.apply_async(args=[message_id], countdown=countdown_seconds, retries=1)

    return delivery.send_batch(message_ids, retry_later=retry_later)
