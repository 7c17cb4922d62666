from django.core.management import call_command

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
    assert counts[0] == 2 and counts[3] >= 5
    roles = {frozenset(user.roles) for user in User.objects.all()}
    assert roles == {
        frozenset({"front_desk"}),
        frozenset({"nurse"}),
        frozenset({"physician"}),
        frozenset({"clinic_admin"}),
    }
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.check_password(settings.DEMO_PASSWORD)
