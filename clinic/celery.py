import os

from celery import Celery
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

app = Celery("clinic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def check_database_connections(task=None, **kwargs):
    """Before each task, the check Django makes at the start of each request: a persistent
    connection that failed or that Postgres dropped (a restart, a failover) is closed, and
    with CONN_HEALTH_CHECKS the next query opens a new one. Celery's own Django fix-up does
    this only every 2 x CELERY_DB_REUSE_MAX tasks; until then, after a Postgres restart, every
    task failed with "connection already closed" (found by the fault drill, bench/drill)."""
    from django.db import connections

    if task is not None and getattr(task.request, "is_eager", False):
        return  # run in the caller's process (tests): its connection is the caller's
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
