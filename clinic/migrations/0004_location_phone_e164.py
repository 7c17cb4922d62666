import phonenumber_field.modelfields
import phonenumbers
from django.db import migrations


def e164_or_as_is(value: str) -> str:
    """``value`` in E.164 if it parses as a valid US (or +international) number, else as is."""
    try:
        number = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_valid_number(number):
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_location_phones(apps, schema_editor):
    Location = apps.get_model("clinic", "Location")
    for location in Location.objects.exclude(phone="").only("pk", "phone"):
        phone = e164_or_as_is(location.phone)
        if phone != location.phone:
            Location.objects.filter(pk=location.pk).update(phone=phone)


class Migration(migrations.Migration):
    """A site's phone becomes a PhoneNumberField (stored in E.164, like patients' phones).

    Existing numbers are rewritten in E.164 ("(949) 555-0123" -> "+19495550123"). A value
    that does not parse as a valid number is left untouched: the field stores such strings
    as they are, and a person has to correct it (the admin form will ask them to).
    """

    dependencies = [("clinic", "0003_staff_sessions")]

    operations = [
        migrations.RunPython(normalise_location_phones, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="location",
            name="phone",
            field=phonenumber_field.modelfields.PhoneNumberField(blank=True, max_length=128, region=None),
        ),
    ]
