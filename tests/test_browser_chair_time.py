"""Issue 18 item 1 on a tablet (768 x 1024): the nurse tries each time mistake. "Complete"
33 s after the start is not offered (disabled, with why); "Stop early" with a reason is the
way out; discharge 16 s into recovery is refused with the time it becomes possible."""

import pytest

from infusions.models import InfusionStatus
from infusions.services import infusion_check_in, infusion_start, vitals_record
from tests.browser_helpers import (
    TABLET,
    enter_vitals,
    fill_discharge,
    log_in,
    screenshot,
    status_is,
)
from tests.chair_clock import advance
from tests.helpers import GOOD
from tests.infusions.drawing import ensure_drawn

pytestmark = pytest.mark.browser


@pytest.fixture
def started(appointment, verified_order, nurse):
    record = infusion_check_in(appointment=appointment, by=nurse)
    vitals_record(record=record, taken_by=nurse, **GOOD)
    ensure_drawn(verified_order, by=nurse)
    return infusion_start(record=record, by=nurse)


def test_hazard_complete_too_early_control_disabled_with_why_and_stop_early_path(
    browser, live_server, password, started, nurse, settings
):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 24 * 3600
    advance(0.55)
    context, page = log_in(browser, live_server, nurse, password, TABLET)
    page.goto(f"{live_server.url}/infusions/appointments/{started.appointment_id}/chair/")
    status_is(page, "Running")
    complete = page.get_by_role("button", name="Complete infusion")
    assert complete.is_disabled()
    blocker = page.locator("#complete-blocker").inner_text()
    assert "of its planned 40 min" in blocker and "Stop early" in blocker
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    screenshot(page, "chair-time-complete-refused-tablet")

    page.get_by_label("Reason to stop early (the physician is told)").fill("Severe nausea")
    page.get_by_role("button", name="Stop early").click()
    status_is(page, "Stopped early")
    page.get_by_label("mg given before the stop").fill("9")
    page.get_by_role("button", name="Record mg given").click()
    page.get_by_role("button", name="Begin recovery").click()
    status_is(page, "Recovery")

    advance(0.27)
    enter_vitals(page, 118, 76, 70, 98)
    fill_discharge(page)
    page.get_by_role("button", name="Discharge", exact=True).click()
    page.get_by_role("alert").filter(has_text="minimum 30 min").wait_for()
    status_is(page, "Recovery")
    assert page.locator("#discharge-blocker").is_visible()
    screenshot(page, "chair-time-discharge-refused-tablet")

    page.goto(f"{live_server.url}/infusions/appointments/{started.appointment_id}/record/")
    assert "STOPPED EARLY" in page.locator("#flag-early-stop").inner_text()
    screenshot(page, "chair-time-printed-record-early-stop")
    context.close()
    started.refresh_from_db()
    assert started.status == InfusionStatus.RECOVERY
