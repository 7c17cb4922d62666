from celery import shared_task

from . import idempotency


@shared_task
def idempotency_records_clear() -> int:
    """Hourly: idempotency records past their 24 hours (their bodies may hold patient data)."""
    return idempotency.records_clear()
