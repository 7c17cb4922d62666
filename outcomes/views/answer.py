"""The patient's own page: answering a course's due measures from home (no login).

The signed token finds the link; nothing about the patient shows until the date of birth
matches (then the session remembers it for this link only). One question per page, each
answer saved on the server as it is given, so the patient can stop and come back with the
same link; a last page sends them all. A PHQ-9 item 9 above zero shows the 988 Suicide &
Crisis Lifeline at once. English or Spanish: the patient's preferred language, or the one
they pick on the page.
"""

import functools

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clinic.forms import refusal_text

from .. import questions, services
from ..models import LinkLanguage, PatientLink
from ..tokens import link_id_from

SESSION_PROVEN = "outcomes_link_proven"
SESSION_LANGUAGE = "outcomes_link_language"


class DateOfBirthForm(forms.Form):
    date_of_birth = forms.DateField(
        label=gettext_lazy("Your date of birth"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        error_messages={"required": gettext_lazy("Enter your date of birth.")},
    )


def _link(token: str) -> PatientLink | None:
    pk = link_id_from(token)
    if pk is None:
        return None
    return PatientLink.objects.select_related("patient", "course__location").filter(pk=pk).first()


def _language(request, link: PatientLink | None) -> str:
    chosen = request.session.get(SESSION_LANGUAGE)
    if chosen in LinkLanguage.values:
        return chosen
    return link.language if link else LinkLanguage.ENGLISH


def patient_page(view):
    """Find the link from the token, speak the patient's language, and answer a link that no
    longer works (or never did) with a page that says so."""

    @functools.wraps(view)
    @never_cache
    def wrapper(request, token: str, **kwargs):
        link = _link(token)
        with translation.override(_language(request, link)):
            if link is None:
                return render(request, "outcomes/answer/invalid.html", {"token": token}, status=404)
            if link.state() != "live":
                return _closed(request, link, token, status=410)
            return view(request, link, token, **kwargs)

    return wrapper


def _proven(request, link: PatientLink) -> bool:
    return link.pk in request.session.get(SESSION_PROVEN, [])


def _page(request, link, token, template, context=None, status=200):
    found = questions.steps(link.items)
    base = {
        "link": link,
        "token": token,
        "total": len(found),
        "crisis": questions.self_harm_positive(link.items, link.draft),
        "languages": LinkLanguage.choices,
        "expires_at": link.expires_at,
        "local_tz": link.course.location.time_zone,
    }
    return render(request, template, {**base, **(context or {})}, status=status)


@patient_page
def start(request, link, token):
    """The date of birth first; then on to the first unanswered question."""
    if _proven(request, link):
        return redirect(_next_url(link, token))
    form = DateOfBirthForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            ok = services.link_check_date_of_birth(
                link=link, date_of_birth=form.cleaned_data["date_of_birth"]
            )
        except ValidationError:
            return redirect("outcomes:answer", token=token)  # revoked by that last try
        if ok:
            request.session.cycle_key()  # a new session id once the patient is proven
            request.session[SESSION_PROVEN] = [*request.session.get(SESSION_PROVEN, []), link.pk]
            return redirect(_next_url(link, token))
        link.refresh_from_db()
        status = 400
        if link.state() != "live":
            return redirect("outcomes:answer", token=token)
        if not link.is_locked():
            form.add_error("date_of_birth", _("That date of birth does not match our records."))
    locked = link.is_locked()
    context = {"form": form, "locked": locked, "locked_until": link.locked_until}
    template = "outcomes/answer/date_of_birth.html"
    return _page(request, link, token, template, context, status=429 if locked else status)


def _next_url(link, token) -> str:
    missing = services.links.unanswered_steps(link)
    if not missing:
        return reverse("outcomes:answer_review", args=[token])
    return reverse("outcomes:answer_step", args=[token, missing[0].number])


class AnswerForm(forms.Form):
    answer = forms.TypedChoiceField(
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose one answer to go on.")},
    )

    def __init__(self, *args, step: questions.Step, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer"].choices = step.choices
        self.fields["answer"].label = step.question


@patient_page
def step(request, link, token, number: int):
    if not _proven(request, link):
        return redirect("outcomes:answer", token=token)
    found = questions.steps(link.items)
    if not 1 <= number <= len(found):
        raise Http404("No such question.")
    question = found[number - 1]
    saved = link.draft.get(question.key)
    form = AnswerForm(request.POST or None, step=question, initial={"answer": saved})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            link = services.link_save_answer(
                link=link, step=number, value=form.cleaned_data["answer"]
            )
        except ValidationError as error:
            form.add_error(None, refusal_text(error))
            status = 400
        else:
            if number < len(found):
                return redirect("outcomes:answer_step", token=token, number=number + 1)
            return redirect("outcomes:answer_review", token=token)
    elif form.is_bound:
        status = 400
    item = link.items[question.item]
    sent = link.answers.filter(item=question.item).exists()
    context = {
        "form": form,
        "question": question,
        "number": number,
        "title": questions.TITLES.get(item["measure"], item["label"]),
        "when": questions.when_label(item),
        "previous": number - 1 if number > 1 else None,
        "sent": sent,
    }
    return _page(request, link, token, "outcomes/answer/step.html", context, status)


@patient_page
def review(request, link, token):
    """Every question answered? Then send them all (the link then stops working)."""
    if not _proven(request, link):
        return redirect("outcomes:answer", token=token)
    error = ""
    if request.method == "POST":
        try:
            services.link_submit(link=link)
        except ValidationError as refusal:
            error = refusal_text(refusal)
        else:
            link.refresh_from_db()
            return _page(request, link, token, "outcomes/answer/thanks.html")
    missing = services.links.unanswered_steps(link)
    context = {
        "missing": missing,
        "answered": len(questions.steps(link.items)) - len(missing),
        "error": error,
    }
    status = 400 if error else 200
    return _page(request, link, token, "outcomes/answer/review.html", context, status)


def _closed(request, link, token, status=200):
    context = {
        "token": token,
        "link": link,
        "state": link.state(),
        "requested": link.new_link_requested_at is not None,
        "languages": LinkLanguage.choices,
    }
    return render(request, "outcomes/answer/closed.html", context, status=status)


@require_POST
@never_cache
def new_link(request, token: str):
    """From a link that no longer works: ask the clinic for a new one (recorded once; the
    front desk sees it on the patient's measures). A live link goes back to its page."""
    link = _link(token)
    with translation.override(_language(request, link)):
        if link is None:
            return render(request, "outcomes/answer/invalid.html", {"token": token}, status=404)
        if link.state() == "live":
            return redirect("outcomes:answer", token=token)
        link = services.link_request_new(link=link)
        return _closed(request, link, token)


@require_POST
def language(request, token: str):
    """Switch the patient page's language (kept in the session), then back to the page."""
    chosen = request.POST.get("language")
    if chosen in LinkLanguage.values:
        request.session[SESSION_LANGUAGE] = chosen
    back = request.POST.get("next", "")
    prefix = reverse("outcomes:answer", args=[token])
    return redirect(back if back.startswith(prefix) else prefix)
