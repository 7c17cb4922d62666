"""The infusions REST API. Views validate input and call infusions.services; nothing else."""

from .calculations import DoseCalculationViewSet
from .chart_events import CorrectionViewSet, DischargeViewSet, EventViewSet
from .charting import AcknowledgementViewSet, AlertViewSet, InfusionRecordViewSet, VitalsViewSet
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
    "AcknowledgementViewSet",
    "AlertViewSet",
    "CorrectionViewSet",
    "DischargeViewSet",
    "EventViewSet",
    "InfusionRecordViewSet",
    "VitalsViewSet",
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
