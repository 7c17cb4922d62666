"""The director's dashboard in a real browser at 1366x900: every report's headline numbers,
the daily utilization chart, a report page with its heat map; screenshots looked at."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from clinic.roles import Role
from tests.browser_helpers import DESKTOP, log_in, screenshot
from tests.factories import UserFactory

from .world import MONDAY, SUNDAY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def serious_violations(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [v["id"] for v in violations if v["impact"] in ("serious", "critical")]


def test_the_director_reads_the_dashboard_and_opens_a_report(browser, live_server, password, world):
    director = UserFactory(
        username="director", role=Role.CLINIC_ADMIN, locations=[world.irvine, world.san_diego]
    )
    context, page = log_in(browser, live_server, director, password, DESKTOP)
    page.goto(f"{live_server.url}/reports/?start={MONDAY}&end={SUNDAY}")
    page.get_by_role("heading", name="Director's dashboard").wait_for()
    card = page.locator("[data-report=utilization]")
    assert "15.0%" in card.inner_text()
    assert "16.7%" in page.locator("[data-report=attendance]").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    assert "Figures as of" in page.locator(".report-as-of").inner_text()
    screenshot(page, "reports-dashboard-desktop")
    page.get_by_role("link", name="Recompute now").click()
    page.get_by_role("heading", name="Director's dashboard").wait_for()
    assert "fresh=1" in page.url and "15.0%" in card.inner_text()
    assert serious_violations(page) == []
    page.get_by_role("link", name="Chair utilization").click()
    page.get_by_role("heading", name="Chair utilization").wait_for()
    assert page.locator("svg.heat-map").count() == 1
    screenshot(page, "reports-utilization-desktop")
    assert serious_violations(page) == []
    context.close()
