"""The demo clinic's billing (billing/demo.py): every site has billing details and a price
list in force on every demo visit, who pays is recorded for a few patients, the visits
completed before the prices existed are charged (the desk's "Charges to review" is empty),
and seeding again changes nothing, the same day or on a later one (time machine)."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command

from billing.models import (
    ChargeReview,
    Coverage,
    EntryKind,
    Funding,
    LedgerEntry,
    PaymentChoice,
    PriceList,
    SiteBilling,
)
from billing.selectors.coverage import current_funding
from billing.selectors.packages import charges_to_review_for
from clinic.models import Location, User
from infusions.models import InfusionRecord, InfusionStatus
from patients.models import Patient

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
FOUR_PM = datetime.datetime(2026, 12, 2, 16, 0, tzinfo=LA)


def seed():
    with open("/dev/null", "w") as out:
        call_command("seed_demo", stdout=out)


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (SiteBilling, PriceList, PaymentChoice, Coverage, LedgerEntry, ChargeReview)
    }


@pytest.fixture
def demo(db, settings):
    settings.DEV = True
    with time_machine.travel(FOUR_PM, tick=False):
        seed()
        yield


def test_every_site_has_billing_details_and_prices_in_force_on_every_demo_visit(demo):
    for location in Location.objects.all():
        site = SiteBilling.objects.get(location=location)
        site.full_clean()  # the NPI, TIN and NDC pass the project's validators
        assert PriceList.objects.filter(location=location).count() == 1
    completed = InfusionRecord.objects.filter(status=InfusionStatus.DISCHARGED).select_related(
        "appointment__location"
    )
    assert completed.count() >= 16 + 2  # four past visits of four courses, two discharged today
    for record in completed:
        appointment = record.appointment
        day = appointment.location.date_of(appointment.starts_at)
        prices = PriceList.objects.in_force(appointment.location, day)
        assert prices is not None and prices.item("infusion") is not None


def test_the_completed_visits_are_charged_and_charges_to_review_is_empty(demo):
    desk = User.objects.get(username="frontdesk")
    assert charges_to_review_for(desk).count() == 0
    # They had landed on the list when they completed, before the prices existed.
    reviewed = ChargeReview.objects.values_list("appointment", flat=True)
    assert reviewed
    charged = LedgerEntry.objects.filter(kind=EntryKind.CHARGE, appointment__in=reviewed)
    assert charged.count() == len(reviewed)
    assert all(entry.price_item is not None for entry in charged)


def test_who_pays_is_recorded_for_a_few_patients(demo):
    rachel = Patient.objects.get(legal_first_name="Rachel", legal_last_name="Goldberg")
    james = Patient.objects.get(legal_first_name="James", legal_last_name="Whitaker")
    assert rachel.payment_choices.get().funding == Funding.SELF_PAY
    assert current_funding(james) == Funding.INSURANCE
    assert Coverage.objects.current().get(patient=james).payer_name


def test_seeding_again_changes_nothing_and_a_later_day_is_charged_by_itself(demo):
    before = counts()
    seed()
    assert counts() == before
    with time_machine.travel(FOUR_PM + datetime.timedelta(days=1), tick=False):
        seed()
        assert counts()["PriceList"] == before["PriceList"]
        assert counts()["ChargeReview"] == before["ChargeReview"]
        assert charges_to_review_for(User.objects.get(username="frontdesk")).count() == 0
