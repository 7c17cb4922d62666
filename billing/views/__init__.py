"""Billing's pages: ``coverage`` (the patient's coverage and benefits section, the checks
due before new courses), ``prices`` (price lists, Good Faith Estimates), ``ledger`` (the
patient's account, balances owed), ``superbill``."""

from .coverage import (
    check_electronic,
    check_new,
    checks_due,
    coverage_add,
    coverage_change,
    coverage_end,
    patient_money,
    payment_choice,
)
from .ledger import balances, ledger, ledger_new, refund
from .prices import estimate, estimate_deliver, estimate_new, estimate_update, estimates, prices
from .superbill import course_superbill, superbill

__all__ = [
    "course_superbill", "superbill",
    "balances", "ledger", "ledger_new", "refund",
    "estimate", "estimate_deliver", "estimate_new", "estimate_update", "estimates", "prices",
    "check_electronic", "check_new", "checks_due", "coverage_add", "coverage_change",
    "coverage_end", "patient_money", "payment_choice",
]  # fmt: skip
