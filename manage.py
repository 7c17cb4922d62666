#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    if not any(os.environ.get(name) for name in ("CLINIC_DEV", "SECRET_KEY", "DATABASE_URL")):
        # A checkout with nothing configured is a developer's: dev mode on the embedded
        # Postgres and Redis, as `make run` uses. Production always sets DATABASE_URL, so a
        # missing SECRET_KEY there still stops start-up with a message naming it.
        from clinic import devservices

        os.environ["CLINIC_DEV"] = "1"
        devservices.ensure_environment()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
