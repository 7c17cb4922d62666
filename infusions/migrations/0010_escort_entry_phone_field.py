import phonenumber_field.modelfields
from django.db import migrations


class Migration(migrations.Migration):
    """An escort entry's phone becomes a PhoneNumberField: new entries are stored in E.164.

    Existing entries are left exactly as the nurse recorded them. The table is append-only
    (Postgres triggers refuse UPDATE, a legal record), and no migration here bypasses those
    triggers; a number typed as "(949) 555-0123" still reads back and displays as typed.
    Widening the column (32 -> 128 characters) changes no row.
    """

    dependencies = [("infusions", "0009_remove_protocolversion_protocol_and_more")]

    operations = [
        migrations.AlterField(
            model_name="escortentry",
            name="phone",
            field=phonenumber_field.modelfields.PhoneNumberField(max_length=128, region=None),
        ),
    ]
