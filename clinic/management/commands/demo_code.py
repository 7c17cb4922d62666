from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current two-factor code of the demo authenticator (dev mode only)."

    def handle(self, *args, **options):
        if not settings.DEV:
            raise CommandError("demo_code prints codes for the published demo key; dev mode only.")
        device = TOTPDevice(key=settings.DEMO_TOTP_KEY)
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
