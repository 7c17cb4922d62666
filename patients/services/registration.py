from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from clinic.access import require_role
from clinic.models import User
from clinic.roles import ALL_STAFF, DESK

from .. import hooks
from ..models import MRN_SEQUENCE, EscortContact, Patient
from ..selectors import likely_duplicates

REGISTRARS = DESK

# Fields the front desk may set on registration and change later.
PATIENT_FIELDS = {
    "legal_first_name", "legal_last_name", "preferred_name", "date_of_birth", "sex", "phone",
    "email", "address_line1", "address_line2", "city", "state", "postal_code",
    "preferred_language", "home_location", "payment", "insurance_payer", "insurance_member_id",
    "comfort_dim_lights", "comfort_eye_mask", "comfort_music", "comfort_aromatherapy",
    "comfort_blanket", "comfort_notes",
}  # fmt: skip


def next_mrn() -> str:
    """The next medical record number, from a sequence: never handed out twice."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [MRN_SEQUENCE])
        (number,) = cursor.fetchone()
    return f"KC{number:07d}"


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - PATIENT_FIELDS
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in unknown})


IDENTITY = ("legal_first_name", "legal_last_name", "date_of_birth", "phone")


def _refuse_duplicates(patient: Patient) -> None:
    """A likely duplicate of ``patient`` (same name and date of birth, or same phone; never
    the record itself) is refused, naming them, until confirmed a different person."""
    duplicates = [
        other
        for other in likely_duplicates(**{name: getattr(patient, name) for name in IDENTITY})
        if other.pk != patient.pk
    ]
    if duplicates:
        found = ", ".join(f"{p.legal_name} ({p.mrn})" for p in duplicates)
        message = (
            "A patient with this name and date of birth, or this phone, is already "
            f"registered: {found}. Open that record, or confirm that this is a "
            "different person."
        )
        raise ValidationError({NON_FIELD_ERRORS: ValidationError(message, code="duplicate")})


@transaction.atomic
def patient_register(*, registered_by: User, allow_duplicate: bool = False, **fields) -> Patient:
    """Register a patient. A likely duplicate is refused unless ``allow_duplicate``."""
    require_role(registered_by, *REGISTRARS, doing="register patients")
    _check_fields(fields)
    patient = Patient(**fields, created_by=registered_by)
    patient.mrn = "pending"  # full_clean checks every other field before a number is used
    patient.full_clean(exclude=["mrn"])
    if not allow_duplicate:
        _refuse_duplicates(patient)
    patient.mrn = next_mrn()
    patient.save()
    return patient


@transaction.atomic
def patient_update(
    *, patient: Patient, changed_by: User, allow_duplicate: bool = False, **fields
) -> Patient:
    """Change the registration. A change of name, date of birth or phone that makes the
    record look like another patient's is refused unless ``allow_duplicate``, as at
    registration."""
    require_role(changed_by, *REGISTRARS, doing="change a patient's registration")
    _check_fields(fields)
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    before = {name: getattr(patient, name) for name in IDENTITY}
    for name, value in fields.items():
        setattr(patient, name, value)
    patient.full_clean()
    if not allow_duplicate and any(getattr(patient, n) != before[n] for n in IDENTITY):
        _refuse_duplicates(patient)
    patient.save()
    return patient


@transaction.atomic
def patient_deactivate(*, patient: Patient, deactivated_by: User, reason: str) -> Patient:
    require_role(deactivated_by, *REGISTRARS, doing="deactivate a patient")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the patient is being deactivated."})
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if not patient.is_active:
        raise ValidationError("The patient is already deactivated.")
    patient.is_active = False
    patient.deactivated_at = timezone.now()
    patient.deactivated_by = deactivated_by
    patient.deactivation_reason = reason.strip()
    patient.save()
    for hook in hooks.patient_deactivated:  # scheduling: the visits still booked cancelled
        hook(patient=patient, by=deactivated_by, reason=reason.strip())
    return patient


@transaction.atomic
def escort_add(
    *,
    patient: Patient,
    name: str,
    relationship: str,
    phone,
    email: str = "",
    is_primary: bool = False,
    added_by: User,
) -> EscortContact:
    """Add an escort. The first escort is the primary one; a new primary replaces the old."""
    require_role(added_by, *ALL_STAFF, doing="add an escort")
    Patient.objects.select_for_update().get(pk=patient.pk)
    active = patient.escorts.filter(is_active=True)
    is_primary = is_primary or not active.exists()
    escort = EscortContact(
        patient=patient, name=name, relationship=relationship, phone=phone, email=email,
        is_primary=is_primary,
    )  # fmt: skip
    escort.full_clean(validate_constraints=False)
    if is_primary:
        # One save per demoted row (not a queryset update), so the change log records it.
        for previous in active.filter(is_primary=True):
            previous.is_primary = False
            previous.save(update_fields=["is_primary"])
    escort.save()
    return escort


@transaction.atomic
def escort_deactivate(*, escort: EscortContact, deactivated_by: User) -> EscortContact:
    require_role(deactivated_by, *ALL_STAFF, doing="remove an escort")
    Patient.objects.select_for_update().get(pk=escort.patient_id)
    escort.is_active = False
    was_primary, escort.is_primary = escort.is_primary, False
    escort.save()
    if was_primary:
        successor = escort.patient.escorts.filter(is_active=True).order_by("created_at").first()
        if successor:
            successor.is_primary = True
            successor.save()
    return escort
