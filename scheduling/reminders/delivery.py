"""Sending claimed outbox rows: one at a time (a retry) or a batch (the sweep's hand-over).

Both paths share ``_after_provider_error``, the one place that decides what a provider's
error means for a row (failed for good, or retried after a backoff), so the batch and the
single-row path cannot drift. The Celery tasks in ``scheduling.tasks`` only call these and
turn "retry later" into a Celery retry.
"""

import logging
from collections.abc import Callable

from django.conf import settings

from ..messaging import ProviderError
from ..models import MessageKind
from . import sending

logger = logging.getLogger(__name__)


class RetryLater(Exception):
    """A transient provider error with attempts to spare: send this row again later."""

    def __init__(self, error: ProviderError, countdown_seconds: int) -> None:
        super().__init__(str(error))
        self.error = error
        self.countdown_seconds = countdown_seconds


def _after_provider_error(message_id: int, error: ProviderError, retries: int) -> int | None:
    """Mark the failed attempt. Seconds to wait before the next attempt, or None when the
    row is finished (failed: attempts used up, or an error no retry can mend)."""
    final = retries + 1 >= settings.REMINDER_MAX_ATTEMPTS
    sending.mark_attempt_failed(message_id, error, final=final)
    if final or not error.transient:
        return None
    return settings.REMINDER_RETRY_BACKOFF_SECONDS * 2**retries


def send_one(message_id: int, retries: int, prepare=sending.prepare) -> str:
    """One attempt at one claimed row: claim the attempt, call the provider, mark the row.

    Raises RetryLater when a transient provider error leaves attempts to spare; the row
    is then still ``sending`` with no attempt in progress, waiting for its retry.
    """
    prepared = prepare(message_id)
    if prepared is None:
        return "nothing to send"
    try:
        provider_id = sending.deliver(prepared)
    except ProviderError as error:
        countdown = _after_provider_error(message_id, error, retries)
        if countdown is None:
            return "failed"
        raise RetryLater(error, countdown) from error
    sending.mark_sent_async(message_id, provider_id)  # see its docstring: never a resend
    return "sent"


def _mark_sent_alone(pk: int, provider_id: str) -> None:
    try:
        sending.mark_sent_async(pk, provider_id)
    except Exception:  # left "sending" with its attempt started: reclaimed as unknown
        logger.exception("Reminder %s was sent but could not be marked sent", pk)


class _Batch:
    """The rows of one batch, read in one query each (rows, consents), prepared in turn."""

    def __init__(self, message_ids: list[int]) -> None:
        self.messages = sending.load_many(message_ids)
        self.consents = sending.consents_in_force(self.messages.values())
        self.outcomes: dict[str, int] = {}

    def prepare(self, pk: int, mark: tuple[int, str] | None) -> sending.Prepared | None:
        message = self.messages.get(pk)
        if message is None or message.kind == MessageKind.ESCORT_ESCORT:
            return sending.prepare_loaded(pk, message, mark=mark)
        consent = self.consents.get((message.appointment.patient_id, message.channel))
        return sending.prepare_loaded(pk, message, consent, mark=mark)

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def _deliver_in_batch(
    batch: _Batch, message_id: int, prepared, retry_later: Callable[[int, int], None]
) -> str | None:
    """Deliver one prepared row of a batch; its provider id, or None (outcome counted)."""
    try:
        return sending.deliver(prepared)
    except ProviderError as error:
        try:
            countdown = _after_provider_error(message_id, error, retries=0)
        except Exception:
            logger.exception("Reminder %s failed and could not be marked", message_id)
            batch.count("error")
            return None
        if countdown is None:
            batch.count("failed")
            return None
        batch.count("retrying")
        try:  # the row's first retry, on its own, exactly as the single-row path retries
            retry_later(message_id, countdown)
        except Exception:  # the row stays ours; the reclaim sweep requeues it
            logger.exception("Could not schedule the retry of reminder %s", message_id)
        return None
    except Exception:  # as a crashed single-row task: reclaimed, of unknown outcome
        logger.exception("Reminder %s: the provider call failed", message_id)
        batch.count("error")
        return None


def send_batch(
    message_ids: list[int], *, retry_later: Callable[[int, int], None]
) -> dict[str, int]:
    """Send a few claimed rows, each exactly as ``send_one`` would; outcome -> count.

    Why a batch: see ``scheduling.tasks.reminder_send_batch``. Each row is still prepared
    (its attempt committed as started), delivered and marked on its own; only its "sent"
    mark rides in the same statement as the next row's start (``sending.prepare_loaded``'s
    ``mark``), and the batch's last mark commits without waiting for the disk. A transient
    error hands that row alone to ``retry_later(message_id, countdown_seconds)``; any other
    error is logged and leaves the row ``sending`` for the reclaim sweep.
    """
    batch = _Batch(message_ids)
    # Delivered, not yet marked: its mark rides with the next row's start (one statement
    # and one commit per row; each row is still marked sent before the next is delivered).
    unmarked: tuple[int, str] | None = None
    for message_id in message_ids:
        previous, unmarked = unmarked, None
        try:
            prepared = batch.prepare(message_id, previous)
        except Exception:
            logger.exception("Reminder %s could not be prepared", message_id)
            if previous is not None:  # perhaps not marked: marking again is harmless
                _mark_sent_alone(*previous)
            batch.count("error")
            continue
        if prepared is None:
            batch.count("nothing to send")
            continue
        provider_id = _deliver_in_batch(batch, message_id, prepared, retry_later)
        if provider_id is not None:
            unmarked = (message_id, provider_id)
            batch.count("sent")
    if unmarked is not None:
        _mark_sent_alone(*unmarked)
    return batch.outcomes
