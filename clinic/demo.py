"""Demo locations and one user per role. Idempotent; dev mode only (see seed_demo)."""

from django.conf import settings
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Location, User
from .roles import Role
from .two_factor.services import APP_DEVICE_NAME, is_required_for

LOCATIONS = [
    ("Irvine", "irvine", "15 Spectrum Pointe Dr, Irvine, CA 92618", "+19495550100"),
    ("San Diego", "san-diego", "4010 Sorrento Valley Blvd, San Diego, CA 92121", "+18585550100"),
    # The always-open demo site: its hours cover the whole day, so "today" is always on.
    ("Costa Mesa", "costa-mesa", "3200 Park Center Dr, Costa Mesa, CA 92626", "+17145550300"),
]
ALL_SITES = [code for _, code, _, _ in LOCATIONS]

USERS = [
    # username, first, last, role, location codes
    ("frontdesk", "Maria", "Lopez", Role.FRONT_DESK, ALL_SITES),
    ("nurse", "Grace", "Kim", Role.NURSE, ALL_SITES),
    ("nurse2", "Daniel", "Okafor", Role.NURSE, ALL_SITES),
    ("nurse3", "Sofia", "Reyes", Role.NURSE, ALL_SITES),
    ("nurse4", "Tom", "Becker", Role.NURSE, ALL_SITES),
    ("physician", "Priya", "Raman", Role.PHYSICIAN, ALL_SITES),
    ("admin", "Alex", "Chen", Role.CLINIC_ADMIN, ALL_SITES),
]


def seed() -> list[str]:
    created: list[str] = []
    for name, code, address, phone in LOCATIONS:
        _, made = Location.objects.get_or_create(
            code=code, defaults={"name": name, "address": address, "phone": phone}
        )
        if made:
            created.append(f"location {name}")
    for username, first, last, role, codes in USERS:
        user, made = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.clinic"},
        )
        if made:
            user.set_password(settings.DEMO_PASSWORD)
            # Physicians use the admin for protocols (the medical director edits them).
            user.is_staff = role in (Role.CLINIC_ADMIN, Role.PHYSICIAN)
            user.save()
            created.append(f"user {username}")
        user.groups.add(Group.objects.get(name=Role(role).label))
        user.locations.add(*Location.objects.filter(code__in=codes))
        if is_required_for(user) and not TOTPDevice.objects.filter(user=user).exists():
            # A published authenticator key, like the demo password: `make demo-code` prints
            # the current code, so the demo runs without a phone.
            TOTPDevice.objects.create(
                user=user, name=APP_DEVICE_NAME, key=settings.DEMO_TOTP_KEY, confirmed=True
            )
            created.append(f"authenticator for {username}")
    return created
