import datetime

from django.conf import settings
from django.utils import timezone

from clinic import tasks
from clinic.models import StaffSession


def test_the_daily_task_deletes_expired_sessions_only(db, nurse):
    now = timezone.now()
    StaffSession.objects.create(
        session_key="expired" * 4, session_data="", expire_date=now - datetime.timedelta(hours=1)
    )
    StaffSession.objects.create(
        session_key="current" * 4, session_data="", expire_date=now + datetime.timedelta(hours=1)
    )
    tasks.sessions_clear()
    assert list(StaffSession.objects.values_list("session_key", flat=True)) == ["current" * 4]
    assert settings.CELERY_BEAT_SCHEDULE["sessions-clear"]["task"] == "clinic.tasks.sessions_clear"
