"""Offer messages through the reminder outbox.

Each recipient's offer goes out as two ordinary ``OutboundMessage`` rows (SMS and email) of
kind ``waitlist_offer``, hung on the recipient's own booked session (the one to move
earlier), so consent per channel, STOP and quiet hours apply as to any reminder and the rows
show on the delivery dashboard. The outbox asks this module for the words when it sends a
row (``render``: the recipient's language, the token rebuilt from the row's id, the SMS free
of health words) and whether it is still wanted (``still_wanted``: an offer no longer open is
not sent; a "taken" notice always is).
"""

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from scheduling.models import MessageChannel, MessageKind, OutboundMessage
from scheduling.reminders.outbox import schedule_kick
from scheduling.reminders.rendering import sms_safe

from .models import OfferAnswer, OfferMessage, OfferPurpose, OfferRecipient, OfferStatus
from .tokens import offer_url


def queue(recipient: OfferRecipient, purpose: str) -> list[OutboundMessage]:
    """SMS and email, due now, on the recipient's own session."""
    now = timezone.now()
    queued = []
    for channel in (MessageChannel.SMS, MessageChannel.EMAIL):
        message = OutboundMessage(
            appointment_id=recipient.entry.appointment_id,
            kind=MessageKind.WAITLIST_OFFER,
            channel=channel,
            send_at=now,
        )
        message.full_clean()
        message.save()
        OfferMessage.objects.create(recipient=recipient, message=message, purpose=purpose)
        queued.append(message)
    schedule_kick()
    return queued


def _of(message: OutboundMessage) -> OfferMessage:
    return OfferMessage.objects.select_related(
        "recipient__offer__freed", "recipient__offer__location"
    ).get(message_id=message.pk)


def render(message: OutboundMessage) -> tuple[str, str]:
    """The message in the recipient's language; the SMS names no drug and no diagnosis."""
    carried = _of(message)
    recipient = carried.recipient
    offer = recipient.offer
    location = offer.location
    with translation.override(recipient.language), timezone.override(location.zone):
        when = date_format(timezone.localtime(offer.freed.starts_at), "l, M j, g:i A")
        until = date_format(timezone.localtime(offer.expires_at), "M j, g:i A")
        words = {"clinic": location.name, "when": when, "until": until, "phone": location.phone}
        sms = message.channel == MessageChannel.SMS
        if carried.purpose == OfferPurpose.GONE:
            text = (
                _(
                    "%(clinic)s: the earlier time on %(when)s has been taken. You stay on our "
                    "waiting list; your booked time has not changed."
                )
                % words
            )
            if sms:
                return "", sms_safe(f"{text} " + _("Reply STOP to opt out."))
            return _("The earlier time has been taken"), f"{text}\n\n{location.name}"
        url = offer_url(recipient)
        if sms:
            text = sms_safe(
                _(
                    "%(clinic)s: an earlier time is free on %(when)s. It is offered to a few "
                    "people: the first to accept gets it. Answer before %(until)s:"
                )
                % words
            )
            return "", f"{text} {url} " + _("Reply STOP to opt out.")
        subject = _("An earlier time is free")
        body = _(
            "Hello,\n\nAn earlier time is free at %(clinic)s on %(when)s. You asked to be "
            "seen sooner, so we are offering it to you and a few other people: the first to "
            "accept gets it. Open this link; it asks for your date of birth first:\n\n"
            "%(url)s\n\nThe link works until %(until)s. If you do nothing, your booked time "
            "stays as it is. Questions? Call us on %(phone)s.\n\n%(clinic)s"
        ) % {**words, "url": url}
        return subject, body


def still_wanted(message: OutboundMessage) -> str:
    """An offer goes only while it is open and unanswered; a "taken" notice always goes."""
    carried = _of(message)
    if carried.purpose == OfferPurpose.GONE:
        return ""
    recipient = carried.recipient
    state = recipient.offer.state()
    if state != OfferStatus.OPEN:
        return f"The waitlist offer is {OfferStatus(state).label.lower()}"
    if recipient.answer != OfferAnswer.WAITING:
        return f"The patient already answered ({recipient.get_answer_display().lower()})"
    return ""
