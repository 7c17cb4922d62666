from celery import shared_task

from . import idempotency, webhooks


@shared_task
def idempotency_records_clear() -> int:
    """Hourly: idempotency records past their 24 hours (their bodies may hold patient data)."""
    return idempotency.records_clear()


@shared_task
def webhook_deliveries_send() -> int:
    """Every 30 s: webhook deliveries that are due (new, or retrying after their backoff)."""
    return webhooks.deliveries_send()
