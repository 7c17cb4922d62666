"""The front desk in a real browser (tablet 768x1024): a card payment started, approved (the
fake provider's signed event) and on the account; a package sold."""

import pytest

from billing.models import LedgerEntry, PackagePurchase
from tests.billing.test_browser_coverage import serious_violations
from tests.browser_helpers import TABLET, log_in, screenshot

pytestmark = [pytest.mark.browser]


def test_the_desk_takes_a_card_payment_and_sells_a_package(
    browser, live_server, password, front_desk, patient, prices
):
    context, page = log_in(browser, live_server, front_desk, password, TABLET)
    page.goto(f"{live_server.url}/billing/patients/{patient.pk}/ledger/")
    page.get_by_role("link", name="Card payment").click()
    page.get_by_label("Amount (USD)").fill("150.00")
    page.get_by_role("button", name="Start card payment").click()
    page.get_by_text("Waiting").wait_for()
    screenshot(page, "billing-card-waiting-tablet")
    page.get_by_role("button", name="Simulate card approved (dev)").click()
    page.get_by_text("Paid", exact=True).wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    page.reload()
    screenshot(page, "billing-card-paid-tablet")
    assert serious_violations(page) == []
    assert LedgerEntry.objects.get(kind="payment").amount_usd == -150
    page.goto(f"{live_server.url}/billing/patients/{patient.pk}/packages/")
    page.get_by_text("6 infusions", exact=True).click()
    page.get_by_role("button", name="Sell and charge").click()
    page.get_by_role("cell", name="6", exact=True).last.wait_for()
    page.reload()
    screenshot(page, "billing-packages-tablet")
    assert serious_violations(page) == []
    assert PackagePurchase.objects.count() == 1
    context.close()
