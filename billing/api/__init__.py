"""Billing in the API (/api/v1/): ``coverage`` (coverages, who pays, benefits checks, the
checks due). Front desk and clinic admins only, like the pages; every write is a service."""

from .closing import DailyCloseViewSet
from .coverage import (
    BenefitsCheckViewSet,
    ChecksDueView,
    CoverageViewSet,
    PaymentChoiceViewSet,
)
from .ledger import BalancesView, LedgerViewSet
from .prices import EstimateViewSet, PriceListViewSet
from .superbills import SuperbillViewSet

__all__ = [
    "DailyCloseViewSet",
    "BalancesView", "LedgerViewSet",
    "BenefitsCheckViewSet", "ChecksDueView", "CoverageViewSet", "EstimateViewSet",
    "PaymentChoiceViewSet", "PriceListViewSet", "SuperbillViewSet",
]  # fmt: skip
