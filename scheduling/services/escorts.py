"""The front desk confirms a visit's escort by phone, in one click."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from clinic.access import require_role
from clinic.models import User
from clinic.roles import DESK

from ..models import Appointment, AppointmentStatus

CONFIRMABLE = (AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED)


def _escort_on_file(appointment: Appointment) -> tuple[str, PhoneNumber]:
    """The escort named for this visit, else the patient's primary active escort contact."""
    if appointment.escort_name:
        return appointment.escort_name, appointment.escort_phone
    contact = (
        appointment.patient.escorts.filter(is_active=True).order_by("-is_primary", "pk").first()
    )
    if contact is None:
        raise ValidationError(
            {"escort_name": "No escort on file for this patient: add one on the patient page."}
        )
    return contact.name, contact.phone


@transaction.atomic
def appointment_escort_confirm_by_phone(*, appointment: Appointment, by: User) -> Appointment:
    """Record that the escort confirmed by phone: the escort's name, who took the call, when."""
    require_role(by, *DESK, doing="confirm an escort by phone")
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status not in CONFIRMABLE:
        raise ValidationError(
            f"This visit is {appointment.get_status_display().lower()}; "
            "there is no escort to confirm."
        )
    if appointment.escort_confirmed:
        raise ValidationError("The escort is already confirmed for this visit.")
    if appointment.ends_at <= timezone.now():
        raise ValidationError("This visit is over; there is no escort to confirm.")
    appointment.escort_name, appointment.escort_phone = _escort_on_file(appointment)
    appointment.escort_confirmed = True
    appointment.escort_confirmed_by = by
    appointment.escort_confirmed_at = timezone.now()
    appointment.full_clean(validate_constraints=False)
    # save(), not update(): the change log (django-auditlog) records the change and the user.
    appointment.save(
        update_fields=[
            "escort_name", "escort_phone", "escort_confirmed", "escort_confirmed_by",
            "escort_confirmed_at",
        ]
    )  # fmt: skip
    return appointment
