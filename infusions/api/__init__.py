"""The infusions REST API. Views validate input and call infusions.services; nothing else."""

from .calculations import DoseCalculationViewSet
from .druglog import DrugLogEntryViewSet, LotViewSet
from .orders import DoseCheckViewSet, DoseOrderViewSet
from .protocols import ProtocolVersionViewSet, ProtocolViewSet
from .reconciliation import (
    DiscrepancyViewSet,
    DrugLogReportViewSet,
    InventoryViewSet,
    ReconciliationViewSet,
)

__all__ = [
    "DiscrepancyViewSet",
    "DoseCalculationViewSet",
    "DoseCheckViewSet",
    "DoseOrderViewSet",
    "DrugLogEntryViewSet",
    "DrugLogReportViewSet",
    "InventoryViewSet",
    "LotViewSet",
    "ProtocolVersionViewSet",
    "ProtocolViewSet",
    "ReconciliationViewSet",
]
