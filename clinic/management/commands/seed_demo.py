import importlib
import importlib.util
import os

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Load demo locations, chairs, staff and patients (dev mode only; safe to repeat)."

    def handle(self, *args, **options):
        if not settings.DEV:
            raise CommandError(
                "seed_demo creates users with a published password; it runs only with CLINIC_DEV=1."
            )
        # Each app may ship a demo module; run them lowest app first (clinic, patients, ...).
        with transaction.atomic():
            for app_config in apps.get_app_configs():
                if importlib.util.find_spec(f"{app_config.name}.demo") is None:
                    continue
                demo = importlib.import_module(f"{app_config.name}.demo")
                for line in demo.seed():
                    self.stdout.write(f"  created {line}")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        port = os.environ.get("WEB_PORT", "8000")
        self.stdout.write(
            f"\n  Open http://127.0.0.1:{port}/ and log in as one of\n"
            "    frontdesk, nurse, nurse2 (Costa Mesa, always open), nurse3, nurse4,\n"
            "    physician, admin\n"
            f"  with the demo password: {settings.DEMO_PASSWORD}\n"
            "  physician and admin then give a two-factor code: run `make demo-code`\n"
            "  (or add the demo key to an authenticator app: see README, Two-factor).\n"
        )
