"""Billing's pages: ``coverage`` (the patient's coverage and benefits section, the checks
due before new courses)."""

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

__all__ = [
    "check_electronic", "check_new", "checks_due", "coverage_add", "coverage_change",
    "coverage_end", "patient_money", "payment_choice",
]  # fmt: skip
