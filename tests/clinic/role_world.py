"""A small clinic for the role-matrix walk: one of every object a URL names, at one site.

``build_site(site, staff)`` makes them through the services (as the clinic would) and returns
``{kind: pk}``; the walk puts those ids into each URL, so that the role decides what happens,
not a 404 for a missing object. The kinds in ``NOT_MADE`` are left out: their URLs are
walked with an id that does not exist (an allowed role then gets 404; a refused one 403).
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from billing import services as billing
from billing.models import ChargeReview, DocumentIssue, DocumentKind, SiteBilling
from billing.services import closing as close_services
from billing.services.cards import card_payment_start
from billing.services.packages import package_sell
from clinic.models import Location, User
from clinic.roles import Role
from infusions import services as infusions
from infusions.models import AckAction, Alert, InventoryKind
from outcomes.services import link_create
from patients import services as patients
from patients.models import ConsentDocument, Screening
from scheduling.calendar import calendar_feed_create
from scheduling.models import (
    ClosedDay,
    Consultation,
    MessageChannel,
    MessageKind,
    MessageStatus,
    NurseShift,
    OutboundMessage,
)
from tests.factories import LocationFactory, PatientFactory, UserFactory
from tests.helpers import make_appointment, make_bookable
from waitlist.models import WaitlistOffer, Wish
from waitlist.services import waitlist_add

MISSING = 999_999_999
# Kinds a URL names that the walk does not make (each needs a whole session or day first).
# "administration": a started infusion's dose (FHIR MedicationAdministration); the walk's
# record is only checked in.
NOT_MADE = {"reconciliation", "discrepancy", "event", "discharge", "administration"}
NEGATIVE = dict.fromkeys(Screening.QUESTIONS, "no")
GOOD_VITALS = dict(systolic_mmhg=120, diastolic_mmhg=78, pulse_bpm=72, spo2_percent=98)
HIGH_BP = dict(systolic_mmhg=185, diastolic_mmhg=95)  # above the default alert threshold


@dataclass
class Staff:
    front_desk: User
    nurse: User
    physician: User
    clinic_admin: User


def staff_at(site: Location, suffix: str) -> Staff:
    """Staff working only at ``site`` (the services check the site of who records)."""

    def make(role):
        return UserFactory(username=f"{role}-{suffix}", role=role, locations=[site])

    return Staff(
        make(Role.FRONT_DESK), make(Role.NURSE), make(Role.PHYSICIAN), make(Role.CLINIC_ADMIN)
    )


def shared_objects(physician: User) -> dict[str, int]:
    """Objects of no site: the protocol, its version, a consent document."""
    protocol = infusions.protocol_create(
        name="Fibromyalgia 0.5 mg/kg over 40 min", code="fm", created_by=physician,
        soft_max_mg=Decimal("60"), hard_max_mg=Decimal("100"),
    )  # fmt: skip
    document = ConsentDocument.objects.create(
        title="IV ketamine consent", version="1.0", body="I consent.",
        effective_from=datetime.date(2026, 1, 1),
    )  # fmt: skip
    return {
        "protocol": protocol.pk,
        "protocol_version": protocol.current_version.pk,
        "consent_document": document.pk,
    }


def build_site(site: Location, staff: Staff, shared: dict[str, int]) -> dict[str, int]:
    from infusions.models import Protocol

    protocol = Protocol.objects.get(pk=shared["protocol"])
    ids: dict[str, int] = {"location": site.pk, "staff_member": staff.nurse.pk}
    patient = PatientFactory(home_location=site, phone=f"+1949555{site.pk % 10000:04d}")
    ids["patient"] = patient.pk
    # Screened negative, with an escort, a course and today's appointment.
    appointment = make_appointment(site=site, nurse=staff.nurse, protocol=protocol, patient=patient)
    ids["appointment"] = appointment.pk
    ids["course"] = appointment.course_id
    ids["patient_link"] = link_create(course=appointment.course, by=staff.front_desk).pk
    ids["chair"] = appointment.chair_id
    ids["escort"] = patient.escorts.get().pk
    ids["intake"] = patients.intake_record(
        patient=patient, recorded_by=staff.nurse, symptom_duration_months=24,
        no_known_drug_allergies=True,
    ).pk  # fmt: skip
    ids["screening"] = patients.screening_record(
        patient=patient, recorded_by=staff.nurse, answers={**NEGATIVE, "cardiovascular": "unknown"}
    ).pk
    ids["weight"] = patients.weight_record(
        patient=patient, value=Decimal("70"), unit="kg", measured_by=staff.nurse
    ).pk
    ids["measure"] = patients.measure_record(
        patient=patient, kind="phq9", answers={f"item_{n}": 1 for n in range(1, 10)},
        recorded_by=staff.nurse,
    ).pk  # fmt: skip
    ids["consultation"] = patients.consultation_submit(
        name="Maria Lopez", phone="+19495550111", email="", preferred_location=site, message=""
    ).pk
    ids["booked_consultation"] = Consultation.objects.create(
        request_id=ids["consultation"], location=site, physician=staff.physician,
        mode="in_person", starts_at=timezone.now() + datetime.timedelta(days=3, hours=site.pk % 90),
        ends_at=timezone.now() + datetime.timedelta(days=3, hours=site.pk % 90, minutes=30),
        booked_by=staff.front_desk,
    ).pk  # fmt: skip
    ids["communication_consent"] = patients.communication_consent_record(
        patient=patient, channel="sms", granted=True, method="verbal", recorded_by=staff.front_desk
    ).pk
    ids["consent_signature"] = patients.consent_sign(
        patient=patient, document=ConsentDocument.objects.get(pk=shared["consent_document"]),
        typed_name=f"{patient.legal_first_name} {patient.legal_last_name}",
        witness=staff.front_desk,
    ).pk  # fmt: skip
    ids["calendar_feed"] = calendar_feed_create(patient=patient, created_by=staff.front_desk).pk
    start = timezone.now().replace(hour=7, minute=0, second=0, microsecond=0)
    ids["closed_day"] = ClosedDay.objects.create(
        location=site, date=timezone.localdate() + datetime.timedelta(days=200), reason="Matrix"
    ).pk
    ids["nurse_shift"] = NurseShift.objects.create(
        nurse=staff.nurse, location=site, starts_at=start + datetime.timedelta(days=30),
        ends_at=start + datetime.timedelta(days=30, hours=12),
    ).pk  # fmt: skip
    order = infusions.dose_order_create(
        appointment=appointment, weight=patient.weights.get(pk=ids["weight"]),
        vial_mg_per_ml=Decimal("50"), created_by=staff.nurse,
    )  # fmt: skip
    ids["order"] = order.pk
    lot = infusions.lot_receive(
        location=site, lot_number=f"K{site.pk}", concentration_mg_per_ml=Decimal("50"),
        vial_volume_ml=Decimal("10"), vials=2, received_by=staff.physician,
        expires_on=timezone.localdate() + datetime.timedelta(days=365),
    )  # fmt: skip
    ids["lot"] = lot.pk
    ids["drug_log_entry"] = lot.entries.get().pk
    record = infusions.infusion_check_in(appointment=appointment, by=staff.nurse)
    ids["record"] = record.pk
    reading = infusions.vitals_record(record=record, taken_by=staff.nurse, **GOOD_VITALS)
    reading = reading[0] if isinstance(reading, tuple) else reading
    ids["vitals"] = reading.pk
    ids["correction"] = infusions.correction_record(
        record=record, by=staff.nurse, reason="Taken on the wrong arm.", vitals=reading
    ).pk
    infusions.vitals_record(record=record, taken_by=staff.nurse, **{**GOOD_VITALS, **HIGH_BP})
    alert = Alert.objects.filter(record=record).first()
    if alert is not None:
        ids["acknowledgement"] = infusions.alert_acknowledge(
            alert=alert, by=staff.nurse, action=AckAction.HELD, note="Not started."
        ).pk
    ids["inventory"] = infusions.inventory_record(
        location=site, kind=InventoryKind.OPENING, counted_ml={lot.pk: Decimal("20")},
        taken_by=staff.physician,
    ).pk  # fmt: skip
    waiting = make_bookable(PatientFactory(home_location=site), staff.nurse)
    ids["waitlist_entry"] = waitlist_add(
        patient=waiting, location=site, wish=Wish.START_SOONER, by=staff.front_desk
    ).pk
    ids["waitlist_offer"] = WaitlistOffer.objects.create(
        freed=appointment, location=site, made_by=staff.front_desk,
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    ).pk  # fmt: skip
    ids["outbound_message"] = OutboundMessage.objects.create(
        appointment=appointment, kind=MessageKind.APPOINTMENT, channel=MessageChannel.EMAIL,
        recipient="patient@test.clinic", send_at=timezone.now(), status=MessageStatus.FAILED,
    ).pk  # fmt: skip
    SiteBilling.objects.create(
        location=site, practice_name="Matrix clinic", practice_address="1 Main St",
        npi="1234567893", tin="12-3456789",
    )  # fmt: skip
    ids["price_list"] = billing.price_list_publish(
        location=site, effective_from=site.today(), by=staff.clinic_admin,
        prices_usd={"consultation": Decimal("300.00"), "infusion": Decimal("550.00"),
                    "package_6": Decimal("3000.00")},
    ).pk  # fmt: skip
    ids["card_intent"] = card_payment_start(
        patient=patient, by=staff.front_desk, amount_usd=Decimal("50.00")
    ).pk
    # What a completed visit with no price that day leaves on the desk's list.
    ids["charge_review"] = ChargeReview.objects.create(
        appointment=appointment, reason="No price that day."
    ).pk
    ids["package"] = package_sell(patient=patient, by=staff.front_desk, infusions=6).pk
    # A superbill issued for the visit (a row as the service writes it; the service itself
    # issues one only once an infusion is given, which this visit's never is).
    ids["superbill_issue"] = DocumentIssue.objects.create(
        patient=patient, kind=DocumentKind.VISIT_SUPERBILL, appointment=appointment,
        method="download", issued_by=staff.front_desk,
    ).pk  # fmt: skip
    ids["ledger_entry"] = billing.ledger_payment(
        patient=patient, by=staff.front_desk, amount_usd=Decimal("100.00"), method="cash"
    ).pk
    yesterday = site.today() - datetime.timedelta(days=1)
    ids["daily_close"] = close_services.day_close(
        location=site, day=yesterday, by=staff.front_desk,
        counted_usd=close_services.expected_by_method(site, yesterday),
    ).pk  # fmt: skip
    # Issued while the patient still pays themselves (the estimate is for self-pay patients).
    ids["estimate"] = billing.estimate_issue(patient=patient, by=staff.front_desk, infusions=6).pk
    coverage = billing.coverage_add(
        patient=patient, by=staff.front_desk, payer_name="Aetna", payer_id="60054",
        member_id="W123456789", effective_from=datetime.date(2026, 1, 1),
    )  # fmt: skip
    ids["coverage"] = coverage.pk
    ids["payment_choice"] = billing.payment_choice_record(
        patient=patient, funding="insurance", by=staff.front_desk
    ).pk
    ids["benefits_check"] = billing.benefits_check_record(
        coverage=coverage, by=staff.front_desk, method="phone", result="covered",
        reference_number="REF-1", patient_responsibility_usd=Decimal("40.00"),
    ).pk  # fmt: skip
    return ids


@dataclass
class World:
    """Two sites with one of everything: ``here`` (where ``staff`` work) and ``there``."""

    staff: Staff
    here: dict[str, int]
    there: dict[str, int]
    site: Location
    other: Location


@contextmanager
def two_site_world(prefix: str) -> Iterator[World]:
    """The walks' clinic, built inside a transaction that is rolled back on leaving: staff
    of the first site named ``<role>-<prefix>``, the second site's ``<role>-<prefix>-sd``."""
    with transaction.atomic():
        site = LocationFactory(name=f"{prefix.title()} Irvine", code=f"{prefix}-irvine")
        other = LocationFactory(name=f"{prefix.title()} San Diego", code=f"{prefix}-sd")
        staff = staff_at(site, prefix)
        shared = shared_objects(staff.physician)
        here = {**shared, **build_site(site, staff, shared)}
        there = {**shared, **build_site(other, staff_at(other, f"{prefix}-sd"), shared)}
        yield World(staff, here, there, site, other)
        transaction.set_rollback(True)
