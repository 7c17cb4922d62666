"""Celery tasks of scheduling. They take ids, load rows and are safe to run twice."""

from celery import shared_task
from django.conf import settings

from .messaging import ProviderError
from .reminders import dispatch, sending


@shared_task(ignore_result=True)
def reminders_dispatch() -> int:
    """Beat runs this every minute: reclaim stuck rows, claim due ones, hand them over."""
    return dispatch.dispatch_due()


@shared_task(bind=True, ignore_result=True, acks_late=True, max_retries=None)
def reminder_send(self, message_id: int) -> str:
    """Send one claimed outbox row, at most once. Provider errors are retried with
    exponential backoff, then the row is marked failed for the front desk to see."""
    prepared = sending.prepare(message_id)
    if prepared is None:
        return "nothing to send"
    try:
        provider_id = sending.deliver(prepared)
    except ProviderError as error:
        final = self.request.retries + 1 >= settings.REMINDER_MAX_ATTEMPTS
        sending.mark_attempt_failed(message_id, error, final=final)
        if final or not error.transient:
            return "failed"
        countdown = settings.REMINDER_RETRY_BACKOFF_SECONDS * 2**self.request.retries
        raise self.retry(exc=error, countdown=countdown) from error
    sending.mark_sent(message_id, provider_id)
    return "sent"
