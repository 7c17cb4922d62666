"""Every write to infusions records goes through one of these functions."""

from .check_in import (
    appointment_escort_confirm,
    escort_arrived,
    infusion_check_in,
    infusion_check_in_full,
)
from .checks import CHECKERS, dose_check_record, double_check_state, infusion_may_start
from .completion import infusion_complete, infusion_record_stopped_dose, infusion_recovery
from .corrections import acknowledgement_correct, correction_record, discharge_correct
from .discharge import discharge_record, vitals_back_to_baseline
from .draws import draw_problems, visit_day
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
from .events import (
    infusion_pause,
    infusion_resume,
    infusion_start,
    infusion_stop,
    side_effect_record,
)
from .not_given import infusion_not_given
from .orders import (
    ORDER_WRITERS,
    SIGNERS,
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
from .timing import discharge_override_record, early_stop_review
from .transitions import CHARTERS
from .vitals import alert_acknowledge, vitals_due, vitals_record

__all__ = [
    "CHARTERS",
    "acknowledgement_correct",
    "alert_acknowledge",
    "appointment_escort_confirm",
    "discharge_correct",
    "escort_arrived",
    "infusion_check_in",
    "infusion_check_in_full",
    "infusion_complete",
    "infusion_not_given",
    "infusion_pause",
    "infusion_record_stopped_dose",
    "infusion_recovery",
    "infusion_resume",
    "infusion_start",
    "infusion_stop",
    "side_effect_record",
    "vitals_due",
    "vitals_record",
    "correction_record",
    "discharge_record",
    "discharge_override_record",
    "early_stop_review",
    "vitals_back_to_baseline",
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
    "day_reconcile",
    "discrepancy_resolve",
    "dose_check_record",
    "dose_order_cancel",
    "dose_order_create",
    "dose_order_override",
    "dose_order_sign",
    "double_check_state",
    "draw_problems",
    "drug_draw",
    "drug_log_adjust",
    "expected_on",
    "infusion_drug_account",
    "infusion_may_start",
    "inventory_record",
    "lot_balance",
    "lot_receive",
    "visit_day",
    "lots_to_count",
    "protocol_create",
    "protocol_revise",
    "protocol_update",
    "weight_window_problem",
]
