"""Two completions of one visit at once on real Postgres with real threads: one charge (the
patient row is locked, the ledger allows one charge per visit); two webhook deliveries of
one event at once: one payment."""

import json
from decimal import Decimal

import pytest

from billing.card_providers import ProviderEvent
from billing.models import CardEvent, LedgerEntry, PackageUse
from billing.services.cards import card_event_receive, card_payment_start
from billing.services.charging import charge_completed_infusion
from billing.services.packages import package_sell
from tests.factories import InfusionRecordFactory
from tests.helpers import make_appointment, race

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_two_completions_at_once_make_one_charge(site, nurse, protocol, prices):
    record = InfusionRecordFactory(
        appointment=make_appointment(site=site, nurse=nurse, protocol=protocol),
        checked_in_by=nurse,
    )
    outcomes = race(attempts=[
        lambda: charge_completed_infusion(record=record, by=nurse),
        lambda: charge_completed_infusion(record=record, by=nurse),
    ])  # fmt: skip
    assert outcomes == ["done", "done"]
    assert LedgerEntry.objects.filter(kind="charge", appointment=record.appointment).count() == 1


def test_two_completions_at_once_use_one_package_infusion(site, nurse, protocol, prices,
                                                          front_desk):  # fmt: skip
    appointment = make_appointment(site=site, nurse=nurse, protocol=protocol)
    package_sell(patient=appointment.patient, by=front_desk, infusions=6)
    record = InfusionRecordFactory(appointment=appointment, checked_in_by=nurse)
    race(attempts=[
        lambda: charge_completed_infusion(record=record, by=nurse),
        lambda: charge_completed_infusion(record=record, by=nurse),
    ])  # fmt: skip
    assert PackageUse.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="charge").count() == 1  # the package's own


def test_one_event_delivered_twice_at_once_pays_once(patient, front_desk):
    intent = card_payment_start(patient=patient, by=front_desk, amount_usd=Decimal("75.00"))
    event = ProviderEvent(id="evt_same", type="payment_intent.succeeded",
                          intent_id=intent.intent_id, amount_cents=7500)  # fmt: skip
    race(attempts=[lambda: card_event_receive(event), lambda: card_event_receive(event)])
    assert CardEvent.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="payment").count() == 1
    assert json.dumps(str(LedgerEntry.objects.get().amount_usd)) == '"-75.00"'
