"""The patient's offer link in a real browser on a phone (375x667): the date of birth first,
then the earlier time with Accept / No thanks, in English and Spanish; accepting moves the
session in."""

import pytest

from tests.browser_helpers import assert_fits_and_touchable, screenshot
from waitlist.models import OfferAnswer
from waitlist.services import offer_make
from waitlist.tokens import offer_url

pytestmark = [pytest.mark.browser]
PHONE = {"width": 375, "height": 667}


def test_a_patient_accepts_an_offer_from_a_phone_in_english_and_spanish(
    browser, live_server, manual_offers, front_desk, move_earlier, rival, freed
):
    offer = offer_make(freed=freed, by=front_desk, entries=[move_earlier, rival])
    recipient = offer.recipients.get(entry=move_earlier)
    url = offer_url(recipient).replace("http://127.0.0.1:8000", live_server.url)
    patient = move_earlier.patient

    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(url)
    assert patient.legal_last_name not in page.content()
    assert freed.location.name not in page.content()
    screenshot(page, "waitlist-offer-dob-phone-en")
    page.get_by_label("Your date of birth").fill(patient.date_of_birth.isoformat())
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Accept this time").wait_for()
    assert_fits_and_touchable(page, PHONE)
    screenshot(page, "waitlist-offer-phone-en")

    page.get_by_role("button", name="Español").click()
    page.get_by_role("button", name="Aceptar este horario").wait_for()
    assert_fits_and_touchable(page, PHONE)
    screenshot(page, "waitlist-offer-phone-es")
    page.get_by_role("button", name="Aceptar este horario").click()
    page.get_by_role("heading", name="El horario más temprano es suyo").wait_for()
    screenshot(page, "waitlist-offer-accepted-phone-es")
    recipient.refresh_from_db()
    assert recipient.answer == OfferAnswer.ACCEPTED
    move_earlier.appointment.refresh_from_db()
    assert move_earlier.appointment.starts_at == freed.starts_at
