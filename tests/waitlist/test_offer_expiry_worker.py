"""The offer-expiry sweep on real Postgres with real threads (two beats at once) and
through a real Celery worker: each offer past its time is expired exactly once."""

import datetime
import time

import pytest
from django.utils import timezone

from tests.helpers import race
from waitlist import tasks
from waitlist.models import OfferStatus, OfferStatusChange, WaitlistOffer
from waitlist.services import offer_make, offers_expire_due

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
OS = OfferStatus
AGO = datetime.timedelta(minutes=1)


def past_due_offer(freed, front_desk, entries) -> int:
    offer = offer_make(freed=freed, by=front_desk, entries=entries)
    WaitlistOffer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - AGO)
    return offer.pk


def expired_rows(offer_id) -> int:
    return OfferStatusChange.objects.filter(offer_id=offer_id, to_status=OS.EXPIRED).count()


def test_two_sweeps_at_once_expire_each_offer_once(
    manual_offers, move_earlier, rival, freed, front_desk, site
):
    ids = [past_due_offer(freed, front_desk, [move_earlier, rival])]
    # More open offers past their time (one open offer per session: other sessions of the
    # course stand in for freed ones; the claim does not care).
    others = freed.course.appointments.exclude(pk=freed.pk).order_by("pk")[:4]
    for n, session in enumerate(others):
        ids.append(
            WaitlistOffer.objects.create(
                freed=session,
                location=site,
                made_by=front_desk,
                expires_at=timezone.now() - AGO * (5 + n),
            ).pk  # fmt: skip
        )
    counts = []
    outcomes = race(
        attempts=[lambda: counts.append(offers_expire_due()) for _ in range(2)], done="swept"
    )
    assert outcomes == ["swept", "swept"], outcomes
    assert sum(counts) == len(ids) == 5, counts
    assert all(expired_rows(pk) == 1 for pk in ids)
    statuses = set(WaitlistOffer.objects.filter(pk__in=ids).values_list("status", flat=True))
    assert statuses == {OS.EXPIRED}


def test_a_real_worker_runs_the_sweep(
    celery_worker, manual_offers, move_earlier, freed, front_desk
):
    offer_id = past_due_offer(freed, front_desk, [move_earlier])
    tasks.offers_expire.delay()
    deadline = time.monotonic() + 60
    while WaitlistOffer.objects.get(pk=offer_id).status != OS.EXPIRED:
        assert time.monotonic() < deadline, "timed out waiting for the worker"
        time.sleep(0.2)
    tasks.offers_expire.delay()  # a second beat finds nothing to do
    time.sleep(1.0)
    assert expired_rows(offer_id) == 1
