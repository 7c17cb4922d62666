"""The patient-link gate, one for every link a patient is sent (measures, superbill and
estimate papers, waitlist offers): the signed token (``clinic.signed_ids``) finds a row,
and nothing about the patient shows until the date of birth matches.

- ``DateOfBirthThrottle``: the row's side (an abstract model). Wrong dates of birth are
  counted on the row, so a restart or another worker does not reset them:
  ``PATIENT_LINK_DOB_TRIES`` wrong ones lock the link for ``PATIENT_LINK_LOCK_MINUTES``;
  after ``PATIENT_LINK_DOB_MAX_FAILURES`` in all (``out_of_tries``) the app closes it its
  own way (a measures link is revoked, an offer declined).
- ``Gate``: the page's side. The date-of-birth step (one form, one template, one wording
  of "does not match" and "paused until"), the session that remembers a proven link
  (a new session id once proven), and the page's language (the link's own, or the one the
  patient picks with ``?lang=``, kept in the session for every link page).
- ``templates/clinic/patient_link/``: the phone-first base page every link page extends,
  the date-of-birth page and the page of a link that does not work.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

LANGUAGES = [("en", "English"), ("es", "Español")]
SESSION_LANGUAGE = "patient_link_language"
NO_MATCH = gettext_lazy("That date of birth does not match our records.")


class DateOfBirthThrottle(models.Model):
    """The date-of-birth step's throttle, kept on the link's row."""

    failed_dob_attempts = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def is_locked(self, now=None) -> bool:
        return bool(self.locked_until and self.locked_until > (now or timezone.now()))

    def link_works(self) -> bool:
        """Whether the link still opens (not used, expired, revoked...): the app's to say."""
        raise NotImplementedError

    @property
    def out_of_tries(self) -> bool:
        return self.failed_dob_attempts >= settings.PATIENT_LINK_DOB_MAX_FAILURES

    def date_of_birth_matches(self, given, *, actual, now=None) -> bool:
        """Check one try and count it, on a row the caller's transaction holds
        (``select_for_update``). A locked row answers False unchecked; a right one clears
        the count. The caller closes the link when ``out_of_tries``."""
        now = now or timezone.now()
        if self.is_locked(now):
            return False
        if given == actual:
            if self.failed_dob_attempts:
                self.failed_dob_attempts = 0
                self.save(update_fields=["failed_dob_attempts"])
            return True
        self.failed_dob_attempts += 1
        changed = ["failed_dob_attempts"]
        if self.failed_dob_attempts % settings.PATIENT_LINK_DOB_TRIES == 0:
            self.locked_until = now + datetime.timedelta(minutes=settings.PATIENT_LINK_LOCK_MINUTES)
            changed.append("locked_until")
        self.save(update_fields=changed)
        return False


class DateOfBirthForm(forms.Form):
    date_of_birth = forms.DateField(
        label=gettext_lazy("Your date of birth"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        error_messages={"required": gettext_lazy("Enter your date of birth.")},
    )


def remember_language(request, code) -> None:
    """The patient picked a language: every link page speaks it from now on (this session)."""
    if code in dict(LANGUAGES):
        request.session[SESSION_LANGUAGE] = code


def link_language(request, default: str) -> str:
    """The page's language: ``?lang=`` (kept in the session), the one picked before, or the
    link's own (``default``)."""
    remember_language(request, request.GET.get("lang"))
    chosen = request.session.get(SESSION_LANGUAGE)
    return chosen if chosen in dict(LANGUAGES) else default


def invalid(request, base: str, status: int = 404) -> HttpResponse:
    """A token that was not made here (altered, cut short): the page says so, and no more."""
    context = {"base": base, "languages": LANGUAGES}
    return render(request, "clinic/patient_link/invalid.html", context, status=status)


@dataclass(frozen=True)
class Gate:
    """The date-of-birth step of one kind of link. ``kind`` names the session's list of
    proven rows (row ids of different kinds never mix); ``base`` is the app's page, which
    extends ``clinic/patient_link/base.html``; ``why`` says what the date of birth keeps
    private."""

    kind: str
    base: str
    why: str | Promise

    @property
    def session_key(self) -> str:
        return f"patient_link_proven:{self.kind}"

    def proven(self, request, row) -> bool:
        return row.pk in request.session.get(self.session_key, [])

    def prove(self, request, row) -> None:
        request.session.cycle_key()  # a new session id once the patient is proven
        request.session[self.session_key] = [*request.session.get(self.session_key, []), row.pk]

    def ask(
        self,
        request,
        row: DateOfBirthThrottle,
        check: Callable[..., bool],
        *,
        here: str,
        time_zone: str,
        then: Callable[[], str] | None = None,
        context: dict | None = None,
    ) -> HttpResponse:
        """The date-of-birth page, and its answer. ``check(date_of_birth=...)`` is the app's
        service (it counts the try and may close the link; a ``ValidationError``: closed by
        an earlier try). A right date goes on to ``then()`` (default: ``here`` again); a link
        the try closed (``link_works`` on the row read again) goes back to ``here``, which
        says so. 400 for a wrong date, 429 while locked, times in ``time_zone``."""
        form = DateOfBirthForm(request.POST if request.method == "POST" else None)
        status = 200
        if form.is_bound and form.is_valid():
            try:
                ok = check(date_of_birth=form.cleaned_data["date_of_birth"])
            except ValidationError:
                return redirect(here)
            if ok:
                self.prove(request, row)
                return redirect(then() if then else here)
            row.refresh_from_db()
            if not row.link_works():
                return redirect(here)
            status = 400
            if not row.is_locked():
                form.add_error("date_of_birth", NO_MATCH)
        locked = row.is_locked()
        page = {**(context or {}), "base": self.base, "why": self.why, "form": form,
                "locked": locked, "locked_until": row.locked_until, "local_tz": time_zone,
                "languages": LANGUAGES}  # fmt: skip
        return render(request, "clinic/patient_link/date_of_birth.html", page,
                      status=429 if locked else status)  # fmt: skip
