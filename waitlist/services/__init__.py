"""The waitlist's writes: entries (``entries``) and the offers of a freed chair (``offers``)."""

from .entries import waitlist_add, waitlist_fill, waitlist_withdraw
from .offers import (
    offer_accept,
    offer_check_date_of_birth,
    offer_decline,
    offer_make,
    offer_withdraw,
    offers_close_for,
    offers_expire_due,
    waitlist_fill_freed,
)

__all__ = [
    "offer_accept",
    "offer_check_date_of_birth",
    "offer_decline",
    "offer_make",
    "offer_withdraw",
    "offers_close_for",
    "offers_expire_due",
    "waitlist_add",
    "waitlist_fill",
    "waitlist_fill_freed",
    "waitlist_withdraw",
]
