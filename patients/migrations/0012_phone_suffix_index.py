from django.db import migrations

# A search by a phone's last digits (patients.selectors.patient_search) asks for the reversed
# number by prefix: REVERSE("phone")::text LIKE '9571%'. This index matches that expression
# (text_pattern_ops: a LIKE prefix whatever the collation). In raw SQL, as 0003: Django's
# OpClass around a function renders with parentheses Postgres refuses.


class Migration(migrations.Migration):
    dependencies = [("patients", "0011_screening_flagged_measure_phq9_indexes")]

    operations = [
        migrations.RunSQL(
            'CREATE INDEX patient_phone_suffix ON patients_patient (REVERSE("phone") '
            "text_pattern_ops)",
            "DROP INDEX patient_phone_suffix",
        )
    ]
