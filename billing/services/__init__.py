"""Every write to billing goes through one of these functions: ``coverage`` (coverages,
the payment choice, benefits checks), ``prices`` (price lists, Good Faith Estimates),
``ledger`` (charges, payments, refunds, adjustments; ``payment_refund`` gives a card
payment taken through the provider back there)."""

from .cards import payment_refund
from .coverage import (
    benefits_check_electronic,
    benefits_check_record,
    coverage_add,
    coverage_change,
    coverage_end,
    payment_choice_record,
)
from .ledger import ledger_adjust, ledger_charge, ledger_payment, ledger_refund
from .prices import estimate_deliver, estimate_issue, price_list_publish

__all__ = [
    "ledger_adjust", "ledger_charge", "ledger_payment", "ledger_refund", "payment_refund",
    "estimate_deliver", "estimate_issue", "price_list_publish",
    "benefits_check_electronic", "benefits_check_record", "coverage_add", "coverage_change",
    "coverage_end", "payment_choice_record",
]  # fmt: skip
