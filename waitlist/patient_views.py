"""The patient's own offer page (no login): an earlier time, Accept or No thanks.

The signed token finds the recipient; nothing about the patient or the visit shows until the
date of birth matches (``clinic.patient_links.Gate``; then the session remembers it for this
link only). One URL: GET shows the step the link is at; POST checks the date of birth, or
answers. English or Spanish: the patient's preferred language, or the one they pick on the
page (``?lang=``).
"""

import functools

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from clinic.errors import ConflictError
from clinic.patient_links import LANGUAGES, Gate, invalid, link_language

from . import services
from .models import OfferAnswer, OfferRecipient, OfferStatus
from .tokens import recipient_id_from

BASE = "waitlist/offer/base.html"
GATE = Gate(
    kind="waitlist",
    base=BASE,
    why=gettext_lazy("To keep your details private, please confirm your date of birth first."),
)


def _recipient(token: str) -> OfferRecipient | None:
    pk = recipient_id_from(token)
    if pk is None:
        return None
    return (
        OfferRecipient.objects.select_related(
            "patient", "entry__appointment", "offer__freed", "offer__location"
        )
        .filter(pk=pk)
        .first()
    )


def _step(recipient: OfferRecipient) -> str:
    """Where the link is: offer, accepted, declined, gone, expired or closed."""
    if recipient.answer == OfferAnswer.ACCEPTED:
        return "accepted"
    if recipient.answer == OfferAnswer.DECLINED:
        return "declined"
    state = recipient.offer.state()
    if recipient.answer == OfferAnswer.TOO_LATE or state in (
        OfferStatus.ACCEPTED,
        OfferStatus.GONE,
    ):
        return "gone"
    if state == OfferStatus.EXPIRED:
        return "expired"
    if state == OfferStatus.WITHDRAWN:
        return "closed"
    return "offer"


def _page(request, token, recipient, step, status=200, **context):
    offer = recipient.offer
    base = {"token": token, "step": step, "languages": LANGUAGES, "offer": offer,
            "zone": offer.location.time_zone}  # fmt: skip
    if step in ("offer", "accepted", "declined"):  # the patient is proven by now
        base |= {"freed": offer.freed, "location": offer.location,
                 "booked": recipient.entry.appointment}  # fmt: skip
    return render(request, "waitlist/offer/page.html", {**base, **context}, status=status)


@never_cache
def offer(request, token: str):
    recipient = _recipient(token)
    with translation.override(link_language(request, recipient.language if recipient else "en")):
        if recipient is None:
            return invalid(request, BASE)
        if GATE.proven(request, recipient):
            return _proven(request, token, recipient)
        step = _step(recipient)
        if step != "offer":  # nothing about the visit before the date of birth
            return _page(request, token, recipient, "closed" if step in (
                "accepted", "declined") else step, status=410)  # fmt: skip
        here = reverse("waitlist:offer", args=[token])
        check = functools.partial(services.offer_check_date_of_birth, recipient=recipient)
        zone = recipient.offer.location.time_zone
        return GATE.ask(request, recipient, check, here=here, time_zone=zone)


def _proven(request, token, recipient):
    answer = request.POST.get("answer") if request.method == "POST" else None
    if answer not in ("accept", "decline"):
        step = _step(recipient)
        return _page(request, token, recipient, step, status=200 if step != "expired" else 410)
    act = services.offer_accept if answer == "accept" else services.offer_decline
    try:
        act(recipient=recipient)
    except ConflictError:
        recipient = _recipient(token)
        step = _step(recipient)
        return _page(request, token, recipient, "gone" if step == "offer" else step, status=409)
    except ValidationError as refused:
        return _page(request, token, recipient, _step(recipient), status=400,
                     errors=refused.messages)  # fmt: skip
    return redirect("waitlist:offer", token=token)
