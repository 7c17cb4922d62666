"""Who is in the chair: the one read behind the identity banner (templates/patients/
_identity_banner.html) on the chair screen, dose panel and printable record.

Three queries whatever the patient's history: the latest intake, the latest standing
weight, the latest screening with its clearance and physician.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from .models import Clearance, ClinicalIntake, Patient, Screening, WeightMeasurement
from .selectors import current_weight


def age_on(born: datetime.date, day: datetime.date) -> int:
    """Whole years; someone born on February 29 turns a year older on March 1."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass(frozen=True)
class Identity:
    patient: Patient
    age_years: int
    allergies: str  # as recorded at intake; "" when there is no intake yet
    no_known_drug_allergies: bool
    has_intake: bool
    weight_kg: Decimal | None
    weight_lb: Decimal | None
    weighed_at: datetime.datetime | None
    clearance: Clearance | None

    @property
    def conditions(self) -> str:
        """The physician's clearance conditions, as recorded (only when cleared with them)."""
        if self.clearance and self.clearance.decision == Clearance.Decision.CLEARED_WITH_CONDITIONS:
            return self.clearance.note
        return ""


def _latest_intake(patient: Patient) -> ClinicalIntake | None:
    return patient.intakes.order_by("-recorded_at", "-pk").first()


def _latest_clearance(patient: Patient) -> Clearance | None:
    screening = (
        Screening.objects.filter(patient=patient)
        .select_related("clearance__physician")
        .order_by("-recorded_at", "-pk")
        .first()
    )
    return getattr(screening, "clearance", None) if screening else None


def identity_for(patient: Patient, today: datetime.date | None = None) -> Identity:
    """Everything the banner shows; age on today's date in the clinic zone."""
    today = today or timezone.localdate()
    intake = _latest_intake(patient)
    weight: WeightMeasurement | None = current_weight(patient)
    return Identity(
        patient=patient,
        age_years=age_on(patient.date_of_birth, today),
        allergies=intake.allergies if intake else "",
        no_known_drug_allergies=bool(intake and intake.no_known_drug_allergies),
        has_intake=intake is not None,
        weight_kg=weight.weight_kg if weight else None,
        weight_lb=weight.weight_lb if weight else None,
        weighed_at=weight.measured_at if weight else None,
        clearance=_latest_clearance(patient),
    )
