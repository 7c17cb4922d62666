"""Every write to infusions records goes through one of these functions."""

from .protocols import (
    PROTOCOL_EDITORS,
    VERSION_FIELDS,
    protocol_create,
    protocol_revise,
    protocol_update,
)

__all__ = [
    "PROTOCOL_EDITORS",
    "VERSION_FIELDS",
    "protocol_create",
    "protocol_revise",
    "protocol_update",
]
