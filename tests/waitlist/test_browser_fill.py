"""The front desk in a real browser at 1280x800: the waitlist page shows a chair freed by a
cancellation; its fill page lists who fits; one click moves the waiting patient there."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser_helpers import log_in, screenshot
from waitlist.models import WaitlistStatus

pytestmark = [pytest.mark.browser]
LAPTOP = {"width": 1280, "height": 800}


def serious_violations(page) -> list[str]:
    """Serious and critical accessibility violations (axe-core), as the demo tour checks."""
    violations = Axe().run(page).response["violations"]
    return [v["id"] for v in violations if v["impact"] in ("serious", "critical")]


def test_the_desk_fills_a_freed_chair_from_the_waitlist(
    browser, live_server, password, front_desk, move_earlier, freed
):
    context, page = log_in(browser, live_server, front_desk, password, LAPTOP)
    page.goto(f"{live_server.url}/waitlist/")
    page.get_by_role("heading", name="Chairs freed ahead of time").wait_for()
    screenshot(page, "waitlist-site-desktop")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Fill from the waitlist").click()
    page.get_by_role("heading", name="Fill this chair").wait_for()
    name = move_earlier.patient.display_name
    button = page.get_by_role("button", name=f"Move {name} here")
    button.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    screenshot(page, "waitlist-fill-desktop")
    assert serious_violations(page) == []
    button.click()
    page.get_by_text("moved into the freed chair").wait_for()
    move_earlier.refresh_from_db()
    session = move_earlier.appointment
    session.refresh_from_db()
    assert move_earlier.status == WaitlistStatus.FILLED
    assert session.starts_at == freed.starts_at and session.chair_id == freed.chair_id
    page.get_by_text("No cancelled session ahead has a free chair.").wait_for()
    context.close()


def test_after_a_cancel_the_make_up_page_leads_to_the_waitlist(
    browser, live_server, password, front_desk, move_earlier, freed
):
    context, page = log_in(browser, live_server, front_desk, password, LAPTOP)
    page.goto(f"{live_server.url}/scheduling/appointments/{freed.pk}/make-up/")
    offer = page.get_by_role("link", name="1 patient on the waitlist could take this time")
    offer.wait_for()
    screenshot(page, "waitlist-offer-after-cancel-desktop")
    assert serious_violations(page) == []
    offer.click()
    page.get_by_role("heading", name="Fill this chair").wait_for()
    context.close()
