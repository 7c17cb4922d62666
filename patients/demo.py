import datetime

from clinic.models import Location

from .models import Patient
from .services import patient_register

PATIENTS = [
    ("Susan", "Alvarez", datetime.date(1971, 3, 14), "irvine"),
    ("James", "Whitaker", datetime.date(1984, 11, 2), "irvine"),
    ("Linh", "Nguyen", datetime.date(1966, 7, 29), "irvine"),
    ("Rachel", "Goldberg", datetime.date(1990, 1, 8), "san-diego"),
    ("Michael", "Okoye", datetime.date(1978, 5, 21), "san-diego"),
]


def seed() -> list[str]:
    created = []
    for first, last, dob, code in PATIENTS:
        if Patient.objects.filter(
            legal_first_name=first, legal_last_name=last, date_of_birth=dob
        ).exists():
            continue
        patient_register(
            legal_first_name=first,
            legal_last_name=last,
            date_of_birth=dob,
            home_location=Location.objects.get(code=code),
        )
        created.append(f"patient {first} {last}")
    return created
