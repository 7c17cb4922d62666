from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinic import backups

# Shown after a restore, so the operator can compare them with the live system.
KEY_TABLES = [
    "clinic_user",
    "patients_patient",
    "scheduling_appointment",
    "infusions_vitalsreading",
    "infusions_druglogentry",
]


class Command(BaseCommand):
    help = (
        "Restore a backup_database file with pg_restore into an EMPTY database: the "
        "configured one, or --database NAME on the same server (--create makes it first)."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="a file written by backup_database")
        parser.add_argument("--database", help="restore into this database instead")
        parser.add_argument("--create", action="store_true", help="create --database first")

    def handle(self, *args, backup, database, create, **options):
        if create and not database:
            raise CommandError("--create needs --database NAME (a new database).")
        target = backups.configured_database(database)
        try:
            if create:
                backups.create_database(target)
            backups.restore(backup, target)
            counts = backups.row_counts(target, KEY_TABLES)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {backup} into {target.name}. Rows:")
        for table, count in counts.items():
            self.stdout.write(f"  {table}: {'missing' if count is None else count}")
