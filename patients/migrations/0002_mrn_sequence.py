from django.db import migrations


class Migration(migrations.Migration):
    """Medical record numbers come from a sequence: unique, never reused, even after rollback."""

    dependencies = [("patients", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS patients_mrn_seq START 100001",
            "DROP SEQUENCE IF EXISTS patients_mrn_seq",
        )
    ]
