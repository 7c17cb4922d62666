"""Every reminder test starts with the default rules and templates."""

import pytest

from scheduling.models import MessageTemplate, ReminderRule
from scheduling.reminders.defaults import seed_defaults

from .helpers import bookable_site


@pytest.fixture(autouse=True)
def default_rules(db):
    seed_defaults(ReminderRule, MessageTemplate)


@pytest.fixture
def clinic(front_desk):
    site, chair, nurse = bookable_site()
    front_desk.locations.add(site)
    return site, chair, nurse


@pytest.fixture
def file_backends(settings, tmp_path):
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.REMINDER_RETRY_BACKOFF_SECONDS = 0
    return tmp_path / "sms"
