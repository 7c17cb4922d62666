"""What a superbill shows for one infusion or a whole course: the practice and rendering
clinician with their NPIs, the patient, each date of service with its codes (from the
charted start and stop), the diagnoses chosen from the patient's, and the money."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum

from clinic.models import User
from infusions.models import InfusionRecord
from patients.models import Patient
from scheduling.models import Appointment, Course

from ..coding import CodedLine, infusion_codes, infusion_minutes
from ..models import ClinicianNpi, EntryKind, LedgerEntry, SiteBilling

DEFAULT_DIAGNOSIS = "M79.7"  # fibromyalgia (DOMAIN.md)


@dataclass
class ServiceDay:
    appointment: Appointment
    day: datetime.date
    minutes: int | None
    lines: list[CodedLine]
    charge_usd: Decimal
    clinician: User | None
    clinician_npi: str


@dataclass
class Superbill:
    patient: Patient
    site: SiteBilling | None
    services: list[ServiceDay]
    diagnoses: list[str]
    chosen: list[str]
    charges_usd: Decimal = Decimal("0.00")
    paid_usd: Decimal = Decimal("0.00")
    balance_usd: Decimal = Decimal("0.00")
    missing: list[str] = field(default_factory=list)


def patient_diagnoses(patient: Patient) -> list[str]:
    """The ICD-10-CM codes recorded at the patient's intakes, newest first, else M79.7."""
    codes = list(patient.intakes.order_by("-recorded_at").values_list("diagnosis_code", flat=True))
    return list(dict.fromkeys(code for code in codes if code)) or [DEFAULT_DIAGNOSIS]


def _signer(record: InfusionRecord) -> User | None:
    order = record.order
    if order is None:
        return None
    event = next((e for e in order.events.all() if e.to_status == "signed"), None)
    return event.by if event else None


def superbill_for(appointments: list[Appointment], patient: Patient, chosen=()) -> Superbill:
    """The superbill of the given visits (one, or a course's), infused ones only."""
    records = {
        r.appointment_id: r
        for r in InfusionRecord.objects.filter(appointment__in=appointments)
        .exclude(started_at=None)
        .select_related("order")
        .prefetch_related("order__events__by")
    }
    charges = dict(
        LedgerEntry.objects.filter(kind=EntryKind.CHARGE, appointment__in=appointments)
        .values("appointment")
        .annotate(total=Sum("amount_usd"))
        .values_list("appointment", "total")
    )
    location = appointments[0].location if appointments else patient.home_location
    site = SiteBilling.objects.filter(location=location).first()
    npis = dict(ClinicianNpi.objects.values_list("clinician_id", "npi"))
    services = []
    for visit in appointments:
        record = records.get(visit.pk)
        if record is None or record.ended_at is None:
            continue
        minutes = infusion_minutes(record.started_at, record.ended_at)
        clinician = _signer(record) or visit.nurse
        services.append(ServiceDay(
            appointment=visit, day=visit.location.date_of(record.started_at), minutes=minutes,
            lines=infusion_codes(minutes, mg_given=record.administered_mg,
                                 ndc=site.ketamine_ndc if site else ""),
            charge_usd=charges.get(visit.pk, Decimal("0.00")), clinician=clinician,
            clinician_npi=npis.get(getattr(clinician, "pk", None), ""),
        ))  # fmt: skip
    diagnoses = patient_diagnoses(patient)
    picked = [code for code in chosen if code in diagnoses] or diagnoses
    bill = Superbill(patient=patient, site=site, services=services, diagnoses=diagnoses,
                     chosen=picked)  # fmt: skip
    bill.charges_usd = sum((s.charge_usd for s in services), Decimal("0.00"))
    account = LedgerEntry.objects.filter(patient=patient)
    paid = account.filter(Q(kind=EntryKind.PAYMENT) | Q(kind=EntryKind.REFUND)).aggregate(
        total=Sum("amount_usd")
    )["total"] or Decimal("0.00")
    bill.paid_usd = -paid
    bill.balance_usd = account.balance_usd()
    if site is None:
        bill.missing.append("the site's billing details (NPI, TIN)")
    elif not site.ketamine_ndc:
        bill.missing.append("the ketamine NDC (site billing details)")
    if any(not s.clinician_npi for s in services):
        bill.missing.append("the rendering clinician's NPI (admin: clinician NPIs)")
    return bill


def course_visits(course: Course) -> list[Appointment]:
    return list(course.appointments.select_related("location", "nurse").order_by("starts_at"))
