"""In a real browser: the front desk closes a site's day on a tablet (768x1024), the
difference needing a reason; the patient opens an estimate link on a phone (375x667), proves
the date of birth and sees the download button, in Spanish."""

from decimal import Decimal

import pytest

from billing import services as billing
from billing.documents import link_url
from billing.models import DailyClose, DocumentLink
from tests.browser_helpers import TABLET, assert_fits_and_touchable, log_in, screenshot

pytestmark = [pytest.mark.browser]
PHONE = {"width": 375, "height": 667}


def test_the_desk_closes_the_day_on_a_tablet(browser, live_server, password, front_desk,
                                             patient, site):  # fmt: skip
    billing.ledger_payment(patient=patient, by=front_desk, amount_usd=Decimal("120.00"),
                           method="cash")  # fmt: skip
    context, page = log_in(browser, live_server, front_desk, password, TABLET)
    page.goto(f"{live_server.url}/billing/close/")
    page.get_by_role("link", name="Close the day").first.click()
    page.get_by_label("Cash counted (USD)").fill("100.00")
    for label in ("Check counted (USD)", "Card (terminal) counted (USD)",
                  "HSA/FSA card counted (USD)"):  # fmt: skip
        page.get_by_label(label).fill("0")
    page.get_by_role("button", name="Close the day").click()
    page.get_by_text("differs from the ledger's $120.00").wait_for()
    screenshot(page, "billing-close-reason-tablet")
    page.get_by_label("Cash: why it differs").fill("$20 paid out for supplies")
    page.get_by_role("button", name="Close the day").click()
    page.get_by_text("no payment or refund can be recorded").wait_for()
    screenshot(page, "billing-close-done-tablet")
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    assert DailyClose.objects.get().cash_reason == "$20 paid out for supplies"
    context.close()


def test_the_patient_opens_an_estimate_link_on_a_phone(
    browser, live_server, patient, front_desk, prices, site_billing, settings
):
    settings.REMINDER_LINK_BASE_URL = live_server.url
    estimate = billing.estimate_issue(patient=patient, by=front_desk, infusions=6)
    patient.email, patient.preferred_language = "maria@example.com", "Español"
    patient.save(update_fields=["email", "preferred_language"])
    billing.estimate_deliver(estimate=estimate, method="link", by=front_desk)
    link = DocumentLink.objects.get()
    phone = browser.new_context(viewport=PHONE)
    page = phone.new_page()
    page.goto(link_url(link))
    page.get_by_role("heading", name="Antes de empezar").wait_for()
    assert patient.legal_last_name not in page.content()
    page.get_by_label("Su fecha de nacimiento").fill(patient.date_of_birth.isoformat())
    page.get_by_role("button", name="Continuar").click()
    page.get_by_role("link", name="Descargar el PDF").wait_for()
    screenshot(page, "billing-estimate-link-phone")
    assert_fits_and_touchable(page, PHONE)
    with page.expect_download() as download:
        page.get_by_role("link", name="Descargar el PDF").click()
    assert download.value.suggested_filename == f"good-faith-estimate-{estimate.pk}.pdf"
    phone.close()
