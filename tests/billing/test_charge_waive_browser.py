"""The desk waives a charge to review in a real browser: the reason is asked for, then the
visit leaves the list."""

from decimal import Decimal

import pytest

from billing.models import ChargeReviewWaiver
from infusions.services import infusion_complete
from tests.browser_helpers import DESKTOP, log_in, screenshot
from tests.chair_clock import advance

pytestmark = pytest.mark.browser


def test_the_desk_waives_a_charge_with_a_reason(
    browser, live_server, password, running, nurse, front_desk
):
    advance(41)
    infusion_complete(record=running, by=nurse, administered_mg=Decimal("34.9"))  # no prices
    context, page = log_in(browser, live_server, front_desk, password, DESKTOP)
    page.goto(f"{live_server.url}/billing/charges-to-review/")
    page.get_by_text("Waive", exact=True).click()
    page.get_by_role("button", name="Waive: not charged").click()
    assert "required" in page.content()
    assert not ChargeReviewWaiver.objects.exists()
    screenshot(page, "charge-waive-reason-missing")
    page.get_by_label("Why it is not charged").fill("Courtesy: stopped after 8 min")
    page.get_by_role("button", name="Waive: not charged").click()
    page.wait_for_load_state()
    screenshot(page, "charge-waive-done")
    assert "Nothing to review." in page.content()
    assert ChargeReviewWaiver.objects.get().reason == "Courtesy: stopped after 8 min"
    context.close()
