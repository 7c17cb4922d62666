"""An offer link's token: the recipient row's id signed with the project's key.

Signed rather than a random secret kept as a hash for the reason the measures links are
(``outcomes/tokens.py``): the outbox words the message when it sends it and must rebuild the
URL then. The token names an opaque row; whether it still works is the offer's.
"""

from django.conf import settings
from django.urls import reverse

from clinic.signed_ids import id_from, sign_id

SALT = "waitlist.offer"


def offer_token(recipient) -> str:
    return sign_id(recipient.pk, salt=SALT)


def recipient_id_from(token: str) -> int | None:
    """The recipient's id, or None when the token was not made here (altered, made up)."""
    return id_from(token, salt=SALT)


def offer_url(recipient) -> str:
    path = reverse("waitlist:offer", args=[offer_token(recipient)])
    return settings.REMINDER_LINK_BASE_URL.rstrip("/") + path
