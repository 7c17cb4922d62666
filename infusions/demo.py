"""Demo protocols, created by the demo physician. Idempotent; dev mode only (see seed_demo)."""

from decimal import Decimal

from clinic.models import User

from .models import Protocol
from .services import protocol_create

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
    physician = User.objects.get(username="physician")
    created = []
    for fields in PROTOCOLS:
        if Protocol.objects.filter(code=fields["code"]).exists():
            continue
        protocol_create(created_by=physician, **fields)
        created.append(f"protocol {fields['name']}")
    return created
