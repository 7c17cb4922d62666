"""Protocols (the clinic's drug library); dose orders, the drug log and charting follow."""

from .druglog import (
    DailyReconciliation,
    DiscrepancyResolution,
    DrugLogEntry,
    EntryKind,
    Inventory,
    InventoryCount,
    InventoryKind,
    Lot,
    ReconciliationCount,
)
from .orders import (
    DoseCheck,
    DoseOrder,
    DoseOrderEvent,
    DoseOrderOverride,
    OrderStatus,
    SignedAs,
)
from .protocols import Protocol, ProtocolQuerySet, ProtocolVersion

__all__ = [
    "DailyReconciliation",
    "DiscrepancyResolution",
    "DoseCheck",
    "DoseOrder",
    "DoseOrderEvent",
    "DoseOrderOverride",
    "DrugLogEntry",
    "EntryKind",
    "Inventory",
    "InventoryCount",
    "InventoryKind",
    "Lot",
    "OrderStatus",
    "Protocol",
    "ProtocolQuerySet",
    "ProtocolVersion",
    "ReconciliationCount",
    "SignedAs",
]
