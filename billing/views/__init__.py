"""Billing's pages: ``coverage`` (the patient's coverage and benefits section, the checks
due before new courses), ``prices`` (price lists, Good Faith Estimates), ``ledger`` (the
patient's account, balances owed), ``superbill``."""

from .closing import close_day, close_reopen, closes
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
from .documents import (
    course_superbill_send,
    document_link,
    document_link_pdf,
    estimate_send,
    superbill_send,
)
from .ledger import balances, ledger, ledger_new, refund
from .prices import estimate, estimate_deliver, estimate_new, estimate_update, estimates, prices
from .superbill import course_superbill, superbill

__all__ = [
    "close_day", "close_reopen", "closes", "course_superbill_send", "document_link",
    "document_link_pdf", "estimate_send", "superbill_send",
    "course_superbill", "superbill",
    "balances", "ledger", "ledger_new", "refund",
    "estimate", "estimate_deliver", "estimate_new", "estimate_update", "estimates", "prices",
    "check_electronic", "check_new", "checks_due", "coverage_add", "coverage_change",
    "coverage_end", "patient_money", "payment_choice",
]  # fmt: skip
