"""Two patients accept one offered chair in the same moment, on real Postgres with real
threads: exactly one booking, the other is told the time has been taken."""

import pytest

from scheduling.models import Appointment, AppointmentStatus
from tests.helpers import race
from waitlist.models import OfferAnswer, OfferMessage, OfferPurpose, OfferStatus, WaitlistStatus
from waitlist.services import offer_accept, offer_make

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_two_accepts_at_once_give_one_booking(
    manual_offers, move_earlier, rival, freed, front_desk
):
    offer = offer_make(freed=freed, by=front_desk, entries=[move_earlier, rival])
    first, second = offer.recipients.all()
    outcomes = race(
        done="accepted",
        attempts=[lambda: offer_accept(recipient=first), lambda: offer_accept(recipient=second)],
    )
    assert sorted(outcomes) == ["accepted", "conflict: This time has been taken."], outcomes
    booked = Appointment.objects.filter(
        chair=freed.chair, starts_at=freed.starts_at, status=AppointmentStatus.SCHEDULED
    )
    assert booked.count() == 1
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED
    answers = sorted(offer.recipients.values_list("answer", flat=True))
    assert answers == [OfferAnswer.ACCEPTED, OfferAnswer.TOO_LATE]
    loser = offer.recipients.get(answer=OfferAnswer.TOO_LATE)
    assert loser.entry.status == WaitlistStatus.ACTIVE  # still waiting, session unchanged
    told = OfferMessage.objects.filter(recipient=loser, purpose=OfferPurpose.GONE)
    assert told.count() == 2  # SMS and email: the time is gone
    assert offer.status_changes.filter(to_status=OfferStatus.ACCEPTED, recipient=None).count() == 1
