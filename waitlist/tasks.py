"""Celery tasks of the waitlist. They load rows and are safe to run twice, or at once."""

from celery import shared_task

from .services import offers_expire_due


@shared_task(ignore_result=True)
def offers_expire() -> int:
    """Beat runs this every minute: open offers past their time are marked expired and the
    chair, if still free, is offered to the next who fit (``offers_expire_due``)."""
    return offers_expire_due()
