"""The patient link's token: the link's id signed with the project's key.

Why signed rather than a random secret kept as a hash: the reminder outbox renders a
message when it sends it (after a quiet-hours deferral, a retry), so the URL must be
rebuilt from the row at that moment without the secret ever being stored. The token
carries an opaque row number and nothing about the patient; expiry, revocation and the
single submission live on the row, where the clinic can change them.
"""

from django.conf import settings
from django.urls import reverse

from clinic.signed_ids import id_from, sign_id

SALT = "outcomes.patient-link"


def link_token(link) -> str:
    return sign_id(link.pk, salt=SALT)


def link_id_from(token: str) -> int | None:
    """The link's id, or None when the token was not made here (altered, made up)."""
    return id_from(token, salt=SALT)


def link_url(link) -> str:
    """The full address the patient is sent."""
    path = reverse("outcomes:answer", args=[link_token(link)])
    return settings.REMINDER_LINK_BASE_URL.rstrip("/") + path
