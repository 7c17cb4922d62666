import datetime
import io
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from clinic.models import Location, User
from patients.models import Patient
from scheduling.models import Chair, Consultation


@pytest.fixture
def afternoon():
    """Today's demo board has every stage by mid-afternoon; late in the evening the visits
    that could not end before midnight are left out (README), and with them their patients:
    the counts below are for 15:00 Los Angeles, whenever the suite runs."""
    zone = ZoneInfo("America/Los_Angeles")
    three = datetime.datetime.combine(timezone.localdate(), datetime.time(15), tzinfo=zone)
    with time_machine.travel(three, tick=True):
        yield


def test_seed_demo_creates_every_role_and_can_run_twice(db, settings, afternoon):
    settings.DEV = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    counts = (
        Location.objects.count(),
        User.objects.count(),
        Chair.objects.count(),
        Patient.objects.count(),
        Consultation.objects.count(),
    )
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert counts == (
        Location.objects.count(),
        User.objects.count(),
        Chair.objects.count(),
        Patient.objects.count(),
        Consultation.objects.count(),
    )
    # The pipeline shows a booked consultation and one the patient asked to cancel.
    assert sorted(Consultation.objects.values_list("status", flat=True)) == ["booked", "cancelled"]
    assert counts[0] == 3 and counts[3] >= 40
    roles = {frozenset(user.roles) for user in User.objects.all()}
    assert roles == {
        frozenset({"front_desk"}),
        frozenset({"nurse"}),
        frozenset({"physician"}),
        frozenset({"clinic_admin"}),
    }
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.check_password(settings.DEMO_PASSWORD)


def test_the_demo_physician_logs_in_with_the_code_make_demo_code_prints(db, client, settings):
    settings.DEV = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    response = client.post(
        reverse("login"), {"username": "physician", "password": settings.DEMO_PASSWORD}
    )
    assert urlparse(response["Location"]).path == reverse("two_factor:verify")
    printed = io.StringIO()
    call_command("demo_code", stdout=printed)
    response = client.post(reverse("two_factor:verify"), {"otp_token": printed.getvalue()})
    assert response.status_code == 302
    assert client.get(reverse("infusions:physician_home")).status_code == 200


def test_demo_code_refuses_outside_dev_mode(settings):
    settings.DEV = False
    with pytest.raises(CommandError, match="dev mode only"):
        call_command("demo_code")
