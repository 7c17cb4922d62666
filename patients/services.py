import datetime

from django.db import connection, transaction

from clinic.models import Location

from .models import MRN_SEQUENCE, Patient


def next_mrn() -> str:
    """The next medical record number, from a sequence, so a number is never handed out twice."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [MRN_SEQUENCE])
        (number,) = cursor.fetchone()
    return f"KC{number:07d}"


@transaction.atomic
def patient_register(
    *,
    legal_first_name: str,
    legal_last_name: str,
    date_of_birth: datetime.date,
    home_location: Location,
    preferred_name: str = "",
) -> Patient:
    patient = Patient(
        legal_first_name=legal_first_name,
        legal_last_name=legal_last_name,
        preferred_name=preferred_name,
        date_of_birth=date_of_birth,
        home_location=home_location,
    )
    patient.mrn = next_mrn()
    patient.full_clean()
    patient.save()
    return patient
