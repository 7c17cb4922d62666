import datetime

from django.utils import timezone

from clinic.models import Location, User

from .models import ConsentDocument, ConsultationRequest, MeasureKind, Patient, Screening
from .services import (
    consent_sign,
    consultation_submit,
    escort_add,
    intake_record,
    measure_record,
    patient_register,
    phq9_follow_up_record,
    screening_record,
)

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


ALLERGIES = ["", "Sulfa drugs (rash)", "", "", "Penicillin (hives)"]


def consent_document() -> tuple[ConsentDocument, bool]:
    return ConsentDocument.objects.get_or_create(
        title="Consent to IV ketamine infusion therapy",
        version="1.0",
        defaults={"body": CONSENT_BODY, "effective_from": datetime.date(2026, 1, 1)},
    )


def ready_for_treatment(patient: Patient, nurse: User, index: int = 0) -> None:
    """What an infusion needs on file besides the booking, as the nurse records it at the
    first visit's pre-assessment: the clinical intake (allergies listed, or none known) and
    the treatment consent, signed by the patient and witnessed."""
    if not patient.intakes.exists():
        allergy = ALLERGIES[index % len(ALLERGIES)]
        intake_record(
            patient=patient, recorded_by=nurse, symptom_duration_months=12 + (index * 7) % 60,
            no_known_drug_allergies=not allergy, allergies=allergy,
        )  # fmt: skip
    if not patient.consents.exists():
        consent_sign(
            patient=patient, document=consent_document()[0], typed_name=patient.legal_name,
            witness=nurse,
        )  # fmt: skip


def seed() -> list[str]:
    created = []
    desk = User.objects.get(username="frontdesk")
    _, made = consent_document()
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
    created += _seed_stages(desk)
    return created


# --- Patients at every stage (README, The demo clinic) ---------------------------------------

REQUESTS = [
    ("Karen Whitfield", "+19495550401", "irvine", "My rheumatologist suggested ketamine for "
     "fibromyalgia. Do you take Blue Shield?"),
    ("Omar Haddad", "+16195550402", "san-diego", "Chronic back pain for 6 years, nothing helps."),
    ("Beth Sorensen", "+19495550403", "costa-mesa", "Can I come on Saturdays?"),
    ("Luis Ortega", "+17145550404", "irvine", "Referred by Dr. Chang for CRPS."),
    ("Hannah Price", "+18585550405", "san-diego", "Please call after 5 pm."),
    ("Derek Lam", "+19495550406", "costa-mesa", "How many infusions does a course have?"),
]  # fmt: skip
FIRST = ["Ana", "Ben", "Cara", "Dev", "Elena", "Frank", "Gina", "Hugo", "Iris", "Jon",
         "Kira", "Leo", "Maya", "Nate", "Opal", "Paul", "Quinn", "Rosa", "Sam", "Tara",
         "Uma", "Vic", "Wes", "Xena", "Yuri", "Zara", "Abel", "Bea", "Cruz", "Dina"]  # fmt: skip
LAST = ["Archer", "Benson", "Castro", "Dorsey", "Ellison", "Flores", "Garner", "Holt"]
SITES = ["irvine", "san-diego", "costa-mesa"]
# stage, how many: registered (awaiting screening), flagged (awaiting clearance), improving
# (mid-course, pain and FIQR-like scores trending down), responder, non_responder, phq9
# (item 9 positive, followed up by the physician), booster (responded 3+ months ago).
STAGES = [("registered", 6), ("flagged", 4), ("improving", 12), ("responder", 4),
          ("non_responder", 1), ("phq9", 1), ("booster", 1)]  # fmt: skip


def _seed_stages(desk) -> list[str]:
    import time_machine  # dev only, like the whole seed

    created = []
    for name, phone, code, message in REQUESTS:
        email = name.lower().replace(" ", ".") + "@example.com"
        if not ConsultationRequest.objects.filter(email=email).exists():
            consultation_submit(
                name=name, phone=phone, email=email,
                preferred_location=Location.objects.get(code=code), message=message,
            )  # fmt: skip
            created.append(f"website request from {name}")
    index = 0
    for stage, count in STAGES:
        for _ in range(count):
            patient = _stage_patient(desk, index, stage, time_machine)
            if patient is not None:
                created.append(f"patient {patient.display_name} ({stage})")
            index += 1
    return created


def stage_patients(stage: str):
    """The demo patients seeded at a stage (for the later apps' demo modules)."""
    index, names = 0, []
    for name, count in STAGES:
        for _ in range(count):
            if name == stage:
                names.append((FIRST[index % len(FIRST)], LAST[index % len(LAST)]))
            index += 1
    return [
        Patient.objects.get(legal_first_name=first, legal_last_name=last) for first, last in names
    ]


def _stage_patient(desk, index, stage, time_machine):
    first, last = FIRST[index % len(FIRST)], LAST[index % len(LAST)]
    dob = datetime.date(1950 + index, 1 + index % 12, 1 + index % 28)
    if Patient.objects.filter(legal_first_name=first, legal_last_name=last,
                              date_of_birth=dob).exists():  # fmt: skip
        return None
    nurse, physician = User.objects.get(username="nurse"), User.objects.get(username="physician")
    now = timezone.now()
    weeks = {"booster": 16, "responder": 8, "non_responder": 8}.get(stage, 3)
    with time_machine.travel(now - datetime.timedelta(weeks=weeks, days=2), tick=False):
        patient = patient_register(
            registered_by=desk, legal_first_name=first, legal_last_name=last,
            date_of_birth=dob, phone=f"+1949555{3000 + index:04d}",
            home_location=Location.objects.get(code=SITES[index % 3]),
        )  # fmt: skip
        escort_add(patient=patient, name=f"Chris {last}", relationship="Friend",
                   phone=f"+1949556{3000 + index:04d}", is_primary=True, added_by=desk)  # fmt: skip
        if stage == "registered":
            return patient
        answers = dict.fromkeys(Screening.QUESTIONS, "no")
        if stage == "flagged":
            answers["cardiovascular"] = "yes"
        screening_record(patient=patient, recorded_by=nurse, answers=answers)
        if stage != "flagged":
            ready_for_treatment(patient, nurse, index)
    if stage != "flagged":
        _measures(patient, nurse, physician, stage, weeks, now, time_machine)
    return patient


PAIN_SERIES = {  # pain NRS, one a week from the baseline
    "improving": [8, 7, 6, 5],
    "responder": [8, 7, 5, 4, 3, 3, 2, 3],
    "non_responder": [7, 7, 8, 7, 7, 7, 7, 7],
    "phq9": [8, 7, 7, 6],
    "booster": [8, 6, 4, 3, 3, 3, 2, 3, 3, 4, 5, 5, 6, 6, 7, 7],
}


def _measures(patient, nurse, physician, stage, weeks, now, time_machine):
    """A pain series trending as the stage says, one reading a week up to last week."""
    for week, score in enumerate(PAIN_SERIES[stage][:weeks]):
        moment = now - datetime.timedelta(weeks=weeks - week)
        with time_machine.travel(moment, tick=False):
            measure_record(
                patient=patient, kind=MeasureKind.PAIN_NRS, answers={"score": score},
                recorded_by=nurse, context="baseline" if week == 0 else "post_infusion",
            )  # fmt: skip
    if stage == "phq9":  # item 9 answered "several days": the physician followed it up
        with time_machine.travel(now - datetime.timedelta(days=3), tick=False):
            answers = {f"item_{n}": 1 for n in range(1, 10)}
            measure = measure_record(
                patient=patient, kind=MeasureKind.PHQ9, answers=answers, recorded_by=nurse,
                context="pre_infusion",
            )  # fmt: skip
        with time_machine.travel(now - datetime.timedelta(days=3, minutes=-40), tick=False):
            phq9_follow_up_record(
                measure=measure, physician=physician,
                note="Passive thoughts only, no plan or intent; safety plan reviewed; "
                "crisis line 988 given. Continue course; repeat PHQ-9 next visit.",
            )  # fmt: skip


def _seed_screenings() -> list[str]:
    """Everyone screened negative except Linh Nguyen, who waits for a physician's clearance."""
    nurse = User.objects.get(username="nurse")
    done = []
    names = [(first, last) for first, last, *_ in PATIENTS]
    for patient in Patient.objects.filter(screenings__isnull=True):
        if (patient.legal_first_name, patient.legal_last_name) not in names:
            continue  # the patients at the "registered" stage wait for their screening
        answers = dict.fromkeys(Screening.QUESTIONS, "no")
        if patient.legal_first_name == "Linh":
            answers["cardiovascular"] = "yes"
        screening_record(patient=patient, recorded_by=nurse, answers=answers)
        done.append(f"screening of {patient.display_name}")
    return done
