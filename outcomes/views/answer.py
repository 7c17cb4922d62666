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
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clinic.forms import refusal_text
from clinic.patient_links import LANGUAGES, Gate, invalid, link_language, remember_language

from .. import questions, services
from ..models import PatientLink
from ..tokens import link_id_from

BASE = "outcomes/answer/base.html"
GATE = Gate(
    kind="outcomes",
    base=BASE,
    why=gettext_lazy("To keep your answers private, please confirm your date of birth."),
)


def _link(token: str) -> PatientLink | None:
    pk = link_id_from(token)
    if pk is None:
        return None
    return PatientLink.objects.select_related("patient", "course__location").filter(pk=pk).first()


def patient_page(view):
    """Find the link from the token, speak the patient's language, and answer a link that no
    longer works (or never did) with a page that says so."""

    @functools.wraps(view)
    @never_cache
    def wrapper(request, token: str, **kwargs):
        link = _link(token)
        with translation.override(link_language(request, link.language if link else "en")):
            if link is None:
                return invalid(request, BASE)
            if link.state() != "live":
                return _closed(request, link, token, status=410)
            return view(request, link, token, **kwargs)

    return wrapper


def _context(link, token, *, proven=True) -> dict:
    """What every page of the link shows. Before the date of birth is proven nothing about
    the patient's answers shows: not even the crisis banner a PHQ-9 item 9 answer raises
    (whoever holds the link would learn of it)."""
    return {
        "link": link,
        "token": token,
        "total": len(questions.steps(link.items)),
        "crisis": proven and questions.self_harm_positive(link.items, link.draft),
        "languages": LANGUAGES,
        "expires_at": link.expires_at,
        "local_tz": link.course.location.time_zone,
    }


def _page(request, link, token, template, context=None, status=200):
    return render(request, template, {**_context(link, token), **(context or {})}, status=status)


@patient_page
def start(request, link, token):
    """The date of birth first; then on to the first unanswered question."""
    if GATE.proven(request, link):
        return redirect(_next_url(link, token))
    check = functools.partial(services.link_check_date_of_birth, link=link)
    here = reverse("outcomes:answer", args=[token])
    zone, then = link.course.location.time_zone, lambda: _next_url(link, token)
    return GATE.ask(request, link, check, here=here, time_zone=zone, then=then,
                    context=_context(link, token, proven=False))  # fmt: skip


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
    if not GATE.proven(request, link):
        return redirect("outcomes:answer", token=token)
    found = questions.steps(link.items)
    if not 1 <= number <= len(found):
        raise Http404("No such question.")
    question = found[number - 1]
    if earlier := questions.unanswered_before_self_harm(link.items, link.draft, question):
        return redirect("outcomes:answer_step", token=token, number=earlier.number)
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
    if not GATE.proven(request, link):
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
        # A newer link went out, or the answers were sent: asking for another would promise
        # a link that never comes (nothing is due until the next questions are).
        "replaced": link.revoked_at is not None and link.revoke_reason == services.links.REPLACED,
        "languages": LANGUAGES,
    }
    return render(request, "outcomes/answer/closed.html", context, status=status)


@require_POST
@never_cache
def new_link(request, token: str):
    """From a link that no longer works: ask the clinic for a new one (recorded once; the
    front desk sees it on the patient's measures). A live link goes back to its page."""
    link = _link(token)
    with translation.override(link_language(request, link.language if link else "en")):
        if link is None:
            return invalid(request, BASE)
        if link.state() == "live":
            return redirect("outcomes:answer", token=token)
        link = services.link_request_new(link=link)
        return _closed(request, link, token)


@require_POST
def language(request, token: str):
    """Switch the patient page's language (kept in the session), then back to the page. The
    pages themselves switch with ``?lang=`` (``clinic.patient_links``); this address stays for
    links already on a phone."""
    remember_language(request, request.POST.get("language"))
    back = request.POST.get("next", "")
    prefix = reverse("outcomes:answer", args=[token])
    return redirect(back if back.startswith(prefix) else prefix)
