"""A row id signed with the project's key, for the addresses patients are sent (a measures
link, a superbill or estimate link). The token carries an opaque row number and nothing
about the patient; expiry and revocation live on the row, where the clinic can change them.
Each use has its own ``salt``, so one kind of token never opens another kind of row."""

from django.core import signing


def sign_id(pk: int, *, salt: str) -> str:
    return signing.Signer(salt=salt).sign(str(pk))


def id_from(token: str, *, salt: str) -> int | None:
    """The row's id, or None when the token was not made here (altered, made up)."""
    try:
        return int(signing.Signer(salt=salt).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
