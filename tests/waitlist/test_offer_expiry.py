"""The beat's sweep of waitlist offers past their time (``waitlist.tasks.offers_expire``):
marked expired with a history row, once; the chair, if still free, then goes to the next
who fit and were not offered it yet."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from waitlist import tasks
from waitlist.models import OfferStatus, OfferStatusChange, WaitlistOffer
from waitlist.services import offer_accept, offer_make, offers_expire_due

pytestmark = pytest.mark.django_db
OS = OfferStatus


def past_due(offer, minutes=1):
    WaitlistOffer.objects.filter(pk=offer.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=minutes)
    )


def test_the_sweep_is_on_the_beat_schedule():
    entry = django_settings.CELERY_BEAT_SCHEDULE["waitlist-offers-expire"]
    assert entry["task"] == "waitlist.tasks.offers_expire" and entry["schedule"] <= 60


def test_an_offer_past_its_time_is_expired_once_and_the_next_in_line_is_offered(
    manual_offers, move_earlier, rival, freed, front_desk, settings
):
    offer = offer_make(freed=freed, by=front_desk, entries=[move_earlier])
    past_due(offer)
    settings.WAITLIST_AUTO_OFFER = True  # the site offers automatically
    assert tasks.offers_expire() == 1  # the task, run in this process
    offer.refresh_from_db()
    assert offer.status == OS.EXPIRED
    row = offer.status_changes.filter(to_status=OS.EXPIRED).get()
    assert (row.from_status, row.changed_by, row.reason) == (
        OS.OPEN, None, "Nobody accepted in time"
    )  # fmt: skip
    following = WaitlistOffer.objects.get(freed=freed, status=OS.OPEN)
    assert following.automatic and following.made_by == front_desk
    assert [r.entry_id for r in following.recipients.all()] == [rival.pk]  # not offered before
    assert following.expires_at > timezone.now()
    rows = OfferStatusChange.objects.count()
    assert offers_expire_due() == 0  # idempotent: nothing open is past due
    assert OfferStatusChange.objects.count() == rows


def test_nobody_left_to_offer_or_auto_offer_off_just_expires(
    manual_offers, move_earlier, freed, front_desk
):
    offer = offer_make(freed=freed, by=front_desk, entries=[move_earlier])
    past_due(offer)
    assert offers_expire_due() == 1
    assert not WaitlistOffer.objects.filter(status=OS.OPEN).exists()


def test_only_open_offers_past_their_time_are_touched(
    manual_offers, move_earlier, rival, freed, front_desk
):
    offer = offer_make(freed=freed, by=front_desk, entries=[move_earlier])
    assert offers_expire_due() == 0  # not yet due
    offer_accept(recipient=offer.recipients.get())
    past_due(offer)
    assert offers_expire_due() == 0  # accepted stays accepted
    offer.refresh_from_db()
    assert offer.status == OS.ACCEPTED


def test_a_patient_answering_after_the_sweep_hears_it_expired(
    manual_offers, move_earlier, freed, front_desk
):
    from clinic.errors import ConflictError

    offer = offer_make(freed=freed, by=front_desk, entries=[move_earlier])
    past_due(offer)
    offers_expire_due()
    with pytest.raises(ConflictError, match="expired"):
        offer_accept(recipient=offer.recipients.get())
