"""Every write to billing goes through one of these functions: ``coverage`` (coverages, the
payment choice, benefits checks), ``prices`` (price lists, Good Faith Estimates)."""

from .coverage import (
    benefits_check_electronic,
    benefits_check_record,
    coverage_add,
    coverage_change,
    coverage_end,
    payment_choice_record,
)
from .prices import estimate_deliver, estimate_issue, price_list_publish

__all__ = [
    "estimate_deliver", "estimate_issue", "price_list_publish",
    "benefits_check_electronic", "benefits_check_record", "coverage_add", "coverage_change",
    "coverage_end", "payment_choice_record",
]  # fmt: skip
