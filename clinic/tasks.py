from celery import shared_task
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from .broker import redis_client

BEAT_KEY = "clinic:beat:last"


@shared_task
def ping(token: str) -> dict:
    """Round trip through the worker: echoes the token and names the database it sees."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        (database,) = cursor.fetchone()
    return {"token": token, "database": database}


@shared_task
def beat_heartbeat() -> str:
    """Beat runs this every minute; /healthz shows when it last ran."""
    now = timezone.now().isoformat()
    redis_client().set(BEAT_KEY, now, ex=3600)
    return now


@shared_task
def sessions_clear() -> None:
    """Beat runs this daily: expired sessions leave the session table (clearsessions)."""
    call_command("clearsessions")
