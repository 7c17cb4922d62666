"""Billing's rows. Money and coverage are never edited in place: each change is a new row
(Postgres triggers refuse UPDATE and DELETE, clinic/append_only.py)."""

from .coverage import (
    BenefitsCheck,
    CheckMethod,
    CheckResult,
    Coverage,
    CoverageQuerySet,
    Funding,
    PaymentChoice,
    Rank,
    Relationship,
)
from .ledger import EntryKind, LedgerEntry, LedgerEntryQuerySet, PaymentMethod
from .practice import ClinicianNpi, SiteBilling
from .prices import (
    CENT,
    DEFAULT_CODES,
    PACKAGE_SIZES,
    DeliveryMethod,
    EstimateDelivery,
    EstimateLine,
    GoodFaithEstimate,
    PriceItem,
    PriceKind,
    PriceList,
)

__all__ = [
    "EntryKind", "LedgerEntry", "LedgerEntryQuerySet", "PaymentMethod",
    "ClinicianNpi", "SiteBilling", "CENT", "DEFAULT_CODES", "PACKAGE_SIZES", "DeliveryMethod",
    "EstimateDelivery", "EstimateLine", "GoodFaithEstimate", "PriceItem", "PriceKind", "PriceList",
    "BenefitsCheck", "CheckMethod", "CheckResult", "Coverage", "CoverageQuerySet", "Funding",
    "PaymentChoice", "Rank", "Relationship",
]  # fmt: skip
