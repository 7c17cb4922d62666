"""Celery tasks of scheduling. They take ids, load rows and are safe to run twice."""

import logging

from celery import shared_task
from django.conf import settings

from .messaging import ProviderError
from .models import MessageKind
from .reminders import dispatch, sending

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def reminders_dispatch() -> int:
    """Beat runs this every minute: reclaim stuck rows, claim due ones, hand them over."""
    return dispatch.dispatch_due()


class _RetryLater(Exception):
    def __init__(self, error: ProviderError, countdown: int) -> None:
        super().__init__(str(error))
        self.error = error
        self.countdown = countdown


def _send_claimed(message_id: int, retries: int, prepare=sending.prepare) -> str:
    """One attempt at one claimed row: claim the attempt, call the provider, mark the row.

    Raises _RetryLater when a transient provider error leaves attempts to spare; the row
    is then still ``sending`` with no attempt in progress, waiting for its retry.
    """
    prepared = prepare(message_id)
    if prepared is None:
        return "nothing to send"
    try:
        provider_id = sending.deliver(prepared)
    except ProviderError as error:
        final = retries + 1 >= settings.REMINDER_MAX_ATTEMPTS
        sending.mark_attempt_failed(message_id, error, final=final)
        if final or not error.transient:
            return "failed"
        countdown = settings.REMINDER_RETRY_BACKOFF_SECONDS * 2**retries
        raise _RetryLater(error, countdown) from error
    sending.mark_sent_async(message_id, provider_id)  # see its docstring: never a resend
    return "sent"


@shared_task(bind=True, ignore_result=True, acks_late=True, max_retries=None)
def reminder_send(self, message_id: int) -> str:
    """Send one claimed outbox row, at most once. Provider errors are retried with
    exponential backoff, then the row is marked failed for the front desk to see."""
    try:
        return _send_claimed(message_id, self.request.retries)
    except _RetryLater as retry:
        raise self.retry(exc=retry.error, countdown=retry.countdown) from retry.error


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
    messages = sending.load_many(message_ids)
    consents = sending.consents_in_force(messages.values())

    def prepare(pk: int, mark: tuple[int, str] | None) -> sending.Prepared | None:
        message = messages.get(pk)
        if message is None or message.kind == MessageKind.ESCORT_ESCORT:
            return sending.prepare_loaded(pk, message, mark=mark)
        consent = consents.get((message.appointment.patient_id, message.channel))
        return sending.prepare_loaded(pk, message, consent, mark=mark)

    outcomes: dict[str, int] = {}

    def count(outcome: str) -> None:
        outcomes[outcome] = outcomes.get(outcome, 0) + 1

    def mark_sent_alone(pk: int, provider_id: str) -> None:
        try:
            sending.mark_sent_async(pk, provider_id)
        except Exception:  # left "sending" with its attempt started: reclaimed as unknown
            logger.exception("Reminder %s was sent but could not be marked sent", pk)

    # Delivered, not yet marked: its mark rides with the next row's start (one statement
    # and one commit per row; each row is still marked sent before the next is delivered).
    unmarked: tuple[int, str] | None = None
    for message_id in message_ids:
        previous, unmarked = unmarked, None
        try:
            prepared = prepare(message_id, previous)
        except Exception:
            logger.exception("Reminder %s could not be prepared", message_id)
            if previous is not None:  # perhaps not marked: marking again is harmless
                mark_sent_alone(*previous)
            count("error")
            continue
        if prepared is None:
            count("nothing to send")
            continue
        try:
            provider_id = sending.deliver(prepared)
        except ProviderError as error:
            final = 1 >= settings.REMINDER_MAX_ATTEMPTS
            try:
                sending.mark_attempt_failed(message_id, error, final=final)
            except Exception:
                logger.exception("Reminder %s failed and could not be marked", message_id)
                count("error")
                continue
            if final or not error.transient:
                count("failed")
                continue
            count("retrying")
            countdown = settings.REMINDER_RETRY_BACKOFF_SECONDS
            try:  # the row's first retry, on its own, exactly as reminder_send retries
                reminder_send.apply_async(args=[message_id], countdown=countdown, retries=1)
            except Exception:  # the row stays ours; the reclaim sweep requeues it
                logger.exception("Could not schedule the retry of reminder %s", message_id)
            continue
        except Exception:  # as a crashed single-row task: reclaimed, of unknown outcome
            logger.exception("Reminder %s: the provider call failed", message_id)
            count("error")
            continue
        unmarked = (message_id, provider_id)
        count("sent")
    if unmarked is not None:
        mark_sent_alone(*unmarked)
    return outcomes
