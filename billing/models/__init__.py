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
from .practice import ClinicianNpi, SiteBilling

__all__ = [
    "ClinicianNpi", "SiteBilling",
    "BenefitsCheck", "CheckMethod", "CheckResult", "Coverage", "CoverageQuerySet", "Funding",
    "PaymentChoice", "Rank", "Relationship",
]  # fmt: skip
