"""Protocols (the clinic's drug library); dose orders, the drug log and charting follow."""

from .protocols import Protocol, ProtocolQuerySet, ProtocolVersion

__all__ = ["Protocol", "ProtocolQuerySet", "ProtocolVersion"]
