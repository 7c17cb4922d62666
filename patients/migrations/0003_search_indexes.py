from django.db import migrations

# Django compiles name__istartswith to UPPER("col"::text) LIKE UPPER('x%'); these indexes
# match that expression exactly, so search-as-you-type stays an index scan.
COLUMNS = ["legal_last_name", "legal_first_name", "preferred_name", "mrn"]


class Migration(migrations.Migration):
    dependencies = [("patients", "0002_mrn_sequence")]

    operations = [
        migrations.RunSQL(
            f'CREATE INDEX patient_{column}_prefix ON patients_patient '
            f'(UPPER("{column}"::text) text_pattern_ops)',
            f"DROP INDEX patient_{column}_prefix",
        )
        for column in COLUMNS
    ]
