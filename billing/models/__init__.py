"""Billing's rows. Money and coverage are never edited in place: each change is a new row
(Postgres triggers refuse UPDATE and DELETE, clinic/append_only.py)."""

from .cards import CardEvent, CardIntent, CardSettlement
from .closing import CLOSE_METHODS, DailyClose, DailyCloseReopen
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
from .documents import DocumentIssue, DocumentKind, DocumentLink, IssueMethod
from .ledger import EntryKind, LedgerEntry, LedgerEntryQuerySet, PaymentMethod
from .packages import ChargeReview, ChargeReviewWaiver, PackagePurchase, PackageRelease, PackageUse
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
    "CLOSE_METHODS", "DailyClose", "DailyCloseReopen",
    "DocumentIssue", "DocumentKind", "DocumentLink", "IssueMethod",
    "EntryKind", "LedgerEntry", "LedgerEntryQuerySet", "PaymentMethod",
    "ClinicianNpi", "SiteBilling", "CENT", "DEFAULT_CODES", "PACKAGE_SIZES", "DeliveryMethod",
    "EstimateDelivery", "EstimateLine", "GoodFaithEstimate", "PriceItem", "PriceKind", "PriceList",
    "BenefitsCheck", "CheckMethod", "CheckResult", "Coverage", "CoverageQuerySet", "Funding",
    "PaymentChoice", "Rank", "Relationship",
    "CardEvent", "CardIntent", "CardSettlement",
    "ChargeReview", "ChargeReviewWaiver", "PackagePurchase", "PackageRelease", "PackageUse",
]  # fmt: skip
