"""Every write to billing goes through one of these functions: ``coverage`` (coverages, the
payment choice, benefits checks)."""

from .coverage import (
    benefits_check_electronic,
    benefits_check_record,
    coverage_add,
    coverage_change,
    coverage_end,
    payment_choice_record,
)

__all__ = [
    "benefits_check_electronic", "benefits_check_record", "coverage_add", "coverage_change",
    "coverage_end", "payment_choice_record",
]  # fmt: skip
