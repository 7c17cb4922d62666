"""The infusions REST API. Views validate input and call infusions.services; nothing else."""

from .calculations import DoseCalculationViewSet
from .protocols import ProtocolVersionViewSet, ProtocolViewSet

__all__ = ["DoseCalculationViewSet", "ProtocolVersionViewSet", "ProtocolViewSet"]
