"""Periodic tasks of the infusions app."""

from celery import shared_task

from .services.escalation import escalation_send, escalation_sweep


@shared_task(ignore_result=True)
def alert_escalations() -> int:
    """Beat, every minute: write the escalation rows of overdue alerts, then send them."""
    escalation_sweep()
    return escalation_send()
