import datetime

from clinic.models import Location, User

from .models import ConsentDocument, Patient, Screening
from .services import escort_add, patient_register, screening_record

PATIENTS = [
    ("Susan", "Alvarez", datetime.date(1971, 3, 14), "irvine", "+19495550142"),
    ("James", "Whitaker", datetime.date(1984, 11, 2), "irvine", "+19495550187"),
    ("Linh", "Nguyen", datetime.date(1966, 7, 29), "irvine", "+17145550111"),
    ("Rachel", "Goldberg", datetime.date(1990, 1, 8), "san-diego", "+16195550133"),
    ("Michael", "Okoye", datetime.date(1978, 5, 21), "san-diego", "+18585550190"),
]

CONSENT_BODY = (
    "I consent to a course of intravenous ketamine infusions for chronic pain. I understand "
    "the expected effects (dissociation, nausea, raised blood pressure) and that I must not "
    "drive for the rest of the day and must leave with a responsible adult."
)


def seed() -> list[str]:
    created = []
    desk = User.objects.get(username="frontdesk")
    _, made = ConsentDocument.objects.get_or_create(
        title="Consent to IV ketamine infusion therapy",
        version="1.0",
        defaults={"body": CONSENT_BODY, "effective_from": datetime.date(2026, 1, 1)},
    )
    if made:
        created.append("consent document v1.0")
    for first, last, dob, code, phone in PATIENTS:
        if Patient.objects.filter(
            legal_first_name=first, legal_last_name=last, date_of_birth=dob
        ).exists():
            continue
        patient = patient_register(
            registered_by=desk,
            legal_first_name=first,
            legal_last_name=last,
            date_of_birth=dob,
            phone=phone,
            home_location=Location.objects.get(code=code),
        )
        if first != "James":  # one patient without an escort, to show the flag
            escort_add(
                patient=patient,
                name=f"Pat {last}",
                relationship="Spouse",
                phone=phone[:-2] + "99",
                added_by=desk,
            )
        created.append(f"patient {first} {last}")
    created += _seed_screenings()
    return created


def _seed_screenings() -> list[str]:
    """Everyone screened negative except Linh Nguyen, who waits for a physician's clearance."""
    nurse = User.objects.get(username="nurse")
    done = []
    for patient in Patient.objects.filter(screenings__isnull=True):
        answers = dict.fromkeys(Screening.QUESTIONS, "no")
        if patient.legal_first_name == "Linh":
            answers["cardiovascular"] = "yes"
        screening_record(patient=patient, recorded_by=nurse, answers=answers)
        done.append(f"screening of {patient.display_name}")
    return done
