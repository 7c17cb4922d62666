from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clinic import backups


class Command(BaseCommand):
    help = (
        "Dump the database with pg_dump (custom format) to --output, or to a time-stamped "
        "file in BACKUP_DIR. The file holds patient data: keep it encrypted and off-site."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="file to write (default: BACKUP_DIR)")

    def handle(self, *args, output, **options):
        database = backups.configured_database()
        path = output or backups.default_backup_path(Path(settings.BACKUP_DIR), database)
        try:
            backups.dump(database, path)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        size_kb = path.stat().st_size // 1024
        self.stdout.write(f"Backed up {database.name} to {path} ({size_kb} KB).")
