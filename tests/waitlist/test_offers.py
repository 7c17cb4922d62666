"""Offering a freed chair by link: who gets it, the outbox, accepting, the patient's page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.export import patient_record
from clinic.errors import ConflictError
from scheduling import services as scheduling
from scheduling.models import AppointmentStatus, MessageKind, OutboundMessage
from scheduling.reminders.rendering import render
from waitlist.models import OfferAnswer, OfferRecipient, OfferStatus, WaitlistOffer
from waitlist.services import offer_accept, offer_decline, offer_make, offer_withdraw
from waitlist.tokens import offer_token

pytestmark = pytest.mark.django_db


def cancel(appointment, by):
    return scheduling.appointment_transition(
        appointment=appointment, to_status=AppointmentStatus.CANCELLED, changed_by=by,
        reason="Flu",
    )  # fmt: skip


def test_a_cancel_offers_the_chair_automatically_to_those_who_fit(
    first_course, move_earlier, rival, front_desk
):
    freed = cancel(first_course.appointments.get(sequence=2), front_desk)
    offer = WaitlistOffer.objects.get(freed=freed)
    assert offer.automatic and offer.status == OfferStatus.OPEN and offer.made_by == front_desk
    assert {r.entry_id for r in offer.recipients.all()} == {move_earlier.pk, rival.pk}
    assert offer.expires_at <= freed.starts_at
    sent = OutboundMessage.objects.filter(kind=MessageKind.WAITLIST_OFFER)
    assert sent.count() == 4  # SMS and email to each
    sms = sent.filter(channel="sms", appointment=move_earlier.appointment).get()
    words = render(sms).body
    recipient = offer.recipients.get(entry=move_earlier)
    assert offer_token(recipient) in words and "STOP" in words
    assert "infusion" not in words.lower() and "ketamine" not in words.lower()


def test_no_automatic_offer_when_the_site_turned_it_off(
    settings, first_course, move_earlier, front_desk
):
    settings.WAITLIST_AUTO_OFFER = False
    freed = cancel(first_course.appointments.get(sequence=2), front_desk)
    assert not WaitlistOffer.objects.filter(freed=freed).exists()


def test_offers_never_go_to_a_patient_a_booking_rule_refuses(
    manual_offers, first_course, move_earlier, rival, freed, front_desk, site
):
    """The rival has no escort any more: the automatic offer and the desk both skip them."""
    rival.patient.escorts.update(is_active=False)
    offer = offer_make(freed=freed, by=front_desk)  # the first K who fit
    assert [r.entry_id for r in offer.recipients.all()] == [move_earlier.pk]
    with pytest.raises(Exception, match="Cannot be offered"):
        offer_make(freed=freed, by=front_desk, entries=[rival])
    # A start-sooner patient is never offered a single session (their course is planned).
    assert all(r.entry.wish == "move_earlier" for r in OfferRecipient.objects.all())


def test_accept_rechecks_every_rule_and_books_nothing_when_one_fails(
    manual_offers, move_earlier, freed, front_desk
):
    offer = offer_make(freed=freed, by=front_desk, entries=[move_earlier])
    recipient = offer.recipients.get()
    move_earlier.patient.escorts.update(is_active=False)  # lost the escort since
    with pytest.raises(Exception, match="escort"):
        offer_accept(recipient=recipient)
    move_earlier.appointment.refresh_from_db()
    assert move_earlier.appointment.starts_at != freed.starts_at
    recipient.refresh_from_db()
    assert recipient.answer == OfferAnswer.WAITING


def test_accept_moves_the_session_and_others_hear_it_is_gone(
    manual_offers, move_earlier, rival, freed, front_desk
):
    offer = offer_make(freed=freed, by=front_desk, entries=[move_earlier, rival])
    winner, other = offer.recipients.order_by("pk")
    offer_accept(recipient=winner)
    move_earlier.appointment.refresh_from_db()
    assert move_earlier.appointment.starts_at == freed.starts_at
    assert move_earlier.appointment.chair == freed.chair
    assert other.messages.filter(purpose="gone").count() == 2
    with pytest.raises(ConflictError, match="taken"):
        offer_accept(recipient=other)


def test_withdrawn_and_declined(manual_offers, move_earlier, rival, freed, front_desk):
    offer = offer_make(freed=freed, by=front_desk, entries=[move_earlier, rival])
    first, second = offer.recipients.order_by("pk")
    offer_decline(recipient=first)
    offer_withdraw(offer=offer, by=front_desk, reason="Chair needed for maintenance")
    assert second.messages.filter(purpose="gone").count() == 2
    assert first.messages.filter(purpose="gone").count() == 0
    with pytest.raises(ConflictError):
        offer_accept(recipient=second)


# --- The patient's page ---


def page(client, recipient, data=None):
    url = reverse("waitlist:offer", args=[offer_token(recipient)])
    return client.post(url, data) if data is not None else client.get(url)


def prove(client, recipient):
    dob = recipient.patient.date_of_birth.isoformat()
    assert page(client, recipient, {"date_of_birth": dob}).status_code == 302


def test_the_page_asks_the_date_of_birth_before_anything(
    client, manual_offers, move_earlier, rival, freed, front_desk, site
):
    offer = offer_make(freed=freed, by=front_desk, entries=[move_earlier, rival])
    winner, other = offer.recipients.order_by("pk")
    first = page(client, winner)
    text = first.content.decode()
    assert first.status_code == 200 and "date of birth" in text
    assert site.name not in text and winner.patient.legal_last_name not in text
    wrong = page(client, winner, {"date_of_birth": "1900-01-01"})
    assert wrong.status_code == 400 and "does not match" in wrong.content.decode()
    other_client = client.__class__()
    prove(other_client, other)
    prove(client, winner)
    shown = page(client, winner).content.decode()
    assert "Accept this time" in shown and site.name in shown
    assert page(client, winner, {"answer": "accept"}).status_code == 302
    assert "You have the earlier time" in page(client, winner).content.decode()
    taken = page(other_client, other, {"answer": "accept"})
    assert taken.status_code == 409 and "This time has been taken" in taken.content.decode()


def test_the_page_locks_after_wrong_dates_of_birth(
    client, settings, manual_offers, move_earlier, freed, front_desk
):
    offer = offer_make(freed=freed, by=front_desk, entries=[move_earlier])
    recipient = offer.recipients.get()
    for _ in range(settings.PATIENT_LINK_DOB_TRIES):
        page(client, recipient, {"date_of_birth": "1900-01-01"})
    right = recipient.patient.date_of_birth.isoformat()
    locked = page(client, recipient, {"date_of_birth": right})
    assert locked.status_code == 429 and "paused" in locked.content.decode()


def test_expired_and_made_up_links_say_so(client, manual_offers, move_earlier, freed, front_desk):
    offer = offer_make(freed=freed, by=front_desk, entries=[move_earlier])
    recipient = offer.recipients.get()
    WaitlistOffer.objects.filter(pk=offer.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    expired = page(client, recipient)
    assert expired.status_code == 410 and "This offer has expired" in expired.content.decode()
    made_up = client.get(reverse("waitlist:offer", args=["12:nonsense"]))
    assert made_up.status_code == 404


def test_spanish(client, manual_offers, move_earlier, freed, front_desk):
    move_earlier.patient.preferred_language = "Spanish"
    move_earlier.patient.save(update_fields=["preferred_language"])
    offer = offer_make(freed=freed, by=front_desk, entries=[move_earlier])
    recipient = offer.recipients.get()
    assert recipient.language == "es"
    prove(client, recipient)
    assert "Aceptar este horario" in page(client, recipient).content.decode()


def test_the_right_of_access_export_holds_only_the_patients_own_offer_rows(
    manual_offers, move_earlier, freed, front_desk
):
    """The freed session's patient is not who an offer is about: their export holds none of
    the offer rows (nor the other patient's answer); the patient offered the time gets them."""
    offer = offer_make(freed=freed, by=front_desk, entries=[move_earlier])
    offer_decline(recipient=offer.recipients.get())

    def rows(patient, label):
        sections = patient_record(patient)["sections"]
        return next(s["rows"] for s in sections if s["model"] == label)

    cancelled_by = freed.patient
    for label in ("waitlist.WaitlistOffer", "waitlist.OfferStatusChange",
                  "waitlist.OfferRecipient", "waitlist.OfferMessage"):  # fmt: skip
        assert rows(cancelled_by, label) == [], label
    offered = move_earlier.patient
    assert [row["id"] for row in rows(offered, "waitlist.WaitlistOffer")] == [offer.pk]
    history = rows(offered, "waitlist.OfferStatusChange")
    assert history and {row["recipient_id"] for row in history} == {offer.recipients.get().pk}
