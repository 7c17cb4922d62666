"""Demo protocols, created by the demo physician. Idempotent; dev mode only (see seed_demo)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from clinic.models import Location, User
from patients.models import Patient
from scheduling.services import Wishes, course_book, course_propose

from ..models import Lot, Protocol
from ..services import lot_receive, protocol_create
from .history import seed_history
from .today import DEMO_SITE, seed_today

PROTOCOLS = [
    {
        "name": "Fibromyalgia 0.5 mg/kg over 40 min",
        "code": "fm-0-5-40",
        "description": "The seed protocol: 0.5 mg/kg over 40 minutes (0.75 mg/kg/h).",
        "soft_max_mg": Decimal("60"),
        "hard_max_mg": Decimal("100"),
    },
    {
        "name": "Chronic pain 0.5 mg/kg/h over 4 h",
        "code": "pain-0-5h-240",
        "description": "A longer pain protocol in the 0.5-2 mg/kg/h range of Cohen et al. "
        "(Reg Anesth Pain Med 2018): 2 mg/kg over 4 hours.",
        "mg_per_kg": Decimal("2.0"),
        "infusion_minutes": 240,
        "soft_max_mg": Decimal("200"),
        "hard_max_mg": Decimal("300"),
        "bag_volume_ml": Decimal("250"),
    },
]


def seed() -> list[str]:
    created = seed_protocols()
    created += _seed_lots()
    created += _seed_course()
    created += seed_history(DEMO_SITE)  # before today: the signatures follow each other
    created += seed_today()
    return created


def seed_protocols() -> list[str]:
    """The demo's drug library, created once by the demo physician."""
    physician = User.objects.get(username="physician")
    created = []
    for fields in PROTOCOLS:
        if Protocol.objects.filter(code=fields["code"]).exists():
            continue
        protocol_create(created_by=physician, **fields)
        created.append(f"protocol {fields['name']}")
    return created


def _seed_lots() -> list[str]:
    """A lot of 50 mg/mL ketamine in stock at every site, received a month ago by the admin."""
    admin, created = User.objects.get(username="admin"), []
    today = timezone.localdate()
    for location in Location.objects.order_by("pk"):
        if Lot.objects.filter(
            location=location, expires_on__gt=today + datetime.timedelta(days=60)
        ).exists():
            continue
        lot_receive(
            location=location, lot_number=f"KET{today:%y%m}-{location.code[:3].upper()}",
            concentration_mg_per_ml=Decimal("50"), vial_volume_ml=Decimal("10"),
            expires_on=today + datetime.timedelta(days=365), vials=25, received_by=admin,
            received_at=timezone.now() - datetime.timedelta(days=30), supplier="Demo Pharma",
        )  # fmt: skip
        created.append(f"drug lot at {location.name}")
    return created


def _seed_course() -> list[str]:
    """A booked course for Susan Alvarez starting next Monday, so the board is not empty."""
    patient = Patient.objects.filter(legal_first_name="Susan", legal_last_name="Alvarez").first()
    if patient is None or patient.courses.exists():
        return []
    location = Location.objects.get(code="irvine")
    protocol = Protocol.objects.get(code="fm-0-5-40")
    today = timezone.localdate()
    wishes = Wishes(
        start_date=today + datetime.timedelta(days=7 - today.weekday()),
        weekdays=(0, 2, 4), preferred_time=datetime.time(9), sessions_per_week=3,
        planned_infusions=10,
    )  # fmt: skip
    proposal = course_propose(patient=patient, protocol=protocol, location=location, wishes=wishes)
    if proposal.blockers or len(proposal.sessions) != wishes.planned_infusions:
        return [f"no demo course: {proposal.blockers + proposal.problems}"]
    course_book(
        patient=patient, protocol=protocol, location=location,
        sessions=proposal.as_requests(), booked_by=User.objects.get(username="frontdesk"),
    )  # fmt: skip
    return [f"course of {wishes.planned_infusions} for {patient.display_name}"]
