"""Celery tasks of outcomes. They load rows and are safe to run twice."""

from celery import shared_task

from . import sending


@shared_task(ignore_result=True)
def measure_links_sweep() -> int:
    """Beat runs this every 15 minutes: send a link for each course whose measures are due
    now and were not sent yet (``sending.send_due_links``)."""
    return sending.send_due_links()
