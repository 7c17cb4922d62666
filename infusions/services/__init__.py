"""Every write to infusions records goes through one of these functions."""

from .checks import CHECKERS, dose_check_record, double_check_state, infusion_may_start
from .druglog import (
    ADJUSTERS,
    HANDLERS,
    RECEIVERS,
    drug_draw,
    drug_log_adjust,
    infusion_drug_account,
    lot_balance,
    lot_receive,
)
from .orders import (
    ORDER_WRITERS,
    SIGNERS,
    IllegalTransition,
    dose_order_cancel,
    dose_order_create,
    dose_order_override,
    dose_order_sign,
    weight_window_problem,
)
from .protocols import (
    PROTOCOL_EDITORS,
    VERSION_FIELDS,
    protocol_create,
    protocol_revise,
    protocol_update,
)
from .reconciliation import (
    INVENTORY_TAKERS,
    RECONCILERS,
    day_reconcile,
    discrepancy_resolve,
    expected_on,
    inventory_record,
    lots_to_count,
)

__all__ = [
    "ADJUSTERS",
    "CHECKERS",
    "HANDLERS",
    "INVENTORY_TAKERS",
    "ORDER_WRITERS",
    "PROTOCOL_EDITORS",
    "RECEIVERS",
    "RECONCILERS",
    "SIGNERS",
    "VERSION_FIELDS",
    "IllegalTransition",
    "day_reconcile",
    "discrepancy_resolve",
    "dose_check_record",
    "dose_order_cancel",
    "dose_order_create",
    "dose_order_override",
    "dose_order_sign",
    "double_check_state",
    "drug_draw",
    "drug_log_adjust",
    "expected_on",
    "infusion_drug_account",
    "infusion_may_start",
    "inventory_record",
    "lot_balance",
    "lot_receive",
    "lots_to_count",
    "protocol_create",
    "protocol_revise",
    "protocol_update",
    "weight_window_problem",
]
