"""Recently viewed patients: the last few records this user opened, newest first.

Kept in the user's session, not read from audit's access log: `audit/` observes everything
and is imported by nothing but the URL conf (STYLE.md), and patients sits below it. The
session list is a convenience for the front desk's next click, not a record of access.
"""

from django.http import HttpRequest

from .models import Patient
from .selectors import patients_for

SESSION_KEY = "recent_patients"
KEEP = 8


def remember_viewed(request: HttpRequest, patient_pk: int) -> None:
    """Put the patient first in the user's recently viewed list."""
    seen = request.session.get(SESSION_KEY, [])
    if seen[:1] == [patient_pk]:
        return  # already first: no session write on every tab of the same record
    others = [pk for pk in seen if pk != patient_pk]
    request.session[SESSION_KEY] = [patient_pk, *others][:KEEP]


def recently_viewed(request: HttpRequest) -> list[Patient]:
    """The remembered patients still visible to this user, newest first (one query)."""
    pks = request.session.get(SESSION_KEY, [])
    if not pks:
        return []
    found = {p.pk: p for p in patients_for(request.user).filter(pk__in=pks)}
    return [found[pk] for pk in pks if pk in found]
