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


def _normalise(model, field):
    for row in model.objects.exclude(**{field: ""}).only("pk", field).iterator():
        phone = e164_or_as_is(getattr(row, field))
        if phone != getattr(row, field):
            model.objects.filter(pk=row.pk).update(**{field: phone})


def merge_opt_outs(SmsOptOut):
    """Opt-outs whose numbers are the same once in E.164 become one: the earliest stands
    (its recorded_at is when the number first said STOP); the later ones are deleted."""
    earliest = {}
    later = []
    for opt_out in SmsOptOut.objects.order_by("recorded_at", "pk"):
        phone = e164_or_as_is(opt_out.phone)
        if phone in earliest:
            later.append(opt_out.pk)
        else:
            earliest[phone] = opt_out
    SmsOptOut.objects.filter(pk__in=later).delete()
    for phone, opt_out in earliest.items():
        if phone != opt_out.phone:
            SmsOptOut.objects.filter(pk=opt_out.pk).update(phone=phone)


def normalise_phones(apps, schema_editor):
    _normalise(apps.get_model("scheduling", "Appointment"), "escort_phone")
    _normalise(apps.get_model("scheduling", "AppointmentConfirmation"), "escort_phone")
    merge_opt_outs(apps.get_model("scheduling", "SmsOptOut"))


class Migration(migrations.Migration):
    """Escort phones (on the appointment and on a reminder-link confirmation) and the SMS
    opt-out list become PhoneNumberFields, stored in E.164 like patients' phones.

    Existing values are rewritten in E.164 ("949-555-0123" -> "+19495550123"), so a STOP
    from an escort now matches the number their reminders go to. Opt-outs that become the
    same number are merged first (the earliest is kept), since the opt-out phone is unique.
    A value that does not parse as a valid number is left untouched: the field stores such
    strings as they are.
    """

    dependencies = [("scheduling", "0009_merge_20261205_0652")]

    operations = [
        migrations.RunPython(normalise_phones, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="appointment",
            name="escort_phone",
            field=phonenumber_field.modelfields.PhoneNumberField(blank=True, max_length=128, region=None),
        ),
        migrations.AlterField(
            model_name="appointmentconfirmation",
            name="escort_phone",
            field=phonenumber_field.modelfields.PhoneNumberField(max_length=128, region=None),
        ),
        migrations.AlterField(
            model_name="smsoptout",
            name="phone",
            field=phonenumber_field.modelfields.PhoneNumberField(max_length=128, region=None, unique=True),
        ),
    ]
