import io
from urllib.parse import urlparse

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from clinic.models import Location, User
from patients.models import Patient
from scheduling.models import Chair


def test_seed_demo_creates_every_role_and_can_run_twice(db, settings):
    settings.DEV = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    counts = (
        Location.objects.count(),
        User.objects.count(),
        Chair.objects.count(),
        Patient.objects.count(),
    )
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert counts == (
        Location.objects.count(),
        User.objects.count(),
        Chair.objects.count(),
        Patient.objects.count(),
    )
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
