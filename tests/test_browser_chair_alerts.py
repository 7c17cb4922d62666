"""Issue 18, item 3 on a nurse's tablet (768 x 1024): the reading 186/112, pulse 118, SpO2 89,
RR 8 raises one alert naming every value, shows NEWS2, and the next reading falls due in 5."""

import datetime

import pytest
from django.utils import timezone

from infusions.models import Alert
from tests.browser_helpers import TABLET, enter_vitals, log_in, screenshot, status_is
from tests.infusions.drawing import ensure_drawn

pytestmark = pytest.mark.browser


def test_the_issue_reading_shows_one_alert_news2_and_the_next_reading_in_5_minutes(
    browser, live_server, password, appointment, verified_order, nurse, physician
):
    ensure_drawn(verified_order, by=nurse)
    context, page = log_in(browser, live_server, nurse, password, TABLET)
    page.goto(f"{live_server.url}/infusions/nurse/")
    page.get_by_role("link", name="Chair screen").click()
    page.get_by_label("Escort is here").check()
    page.get_by_label("Today's weight").fill("70")
    page.get_by_label("kg", exact=True).check()  # no unit is chosen for her
    page.get_by_label("Pain 2", exact=True).check()
    page.get_by_role("button", name="Check in and open the chart").click()
    status_is(page, "Checked in")
    enter_vitals(page, 120, 78, 72, 98)
    page.get_by_role("button", name="Start infusion").click()
    status_is(page, "Running")

    page.locator("details.more-vitals summary").click()
    page.get_by_role("textbox", name="Resp. rate").fill("8")
    page.get_by_role("textbox", name="Temp °C").fill("36.8")
    page.get_by_label("AVPU").select_option("A")
    enter_vitals(page, 186, 112, 118, 89)

    page.get_by_role("heading", name="5 values out of range · NEWS2 8").wait_for()
    assert page.locator(".alert-box").count() == 1
    banner = page.locator(".alert-box").inner_text()
    for words in ("Systolic 186 > 180", "Diastolic 112 > 110", "SpO2 89% < 92%", "RR 8 <= 8",
                  "NEWS2 8 >= 5"):  # fmt: skip
        assert words in banner
    assert "NEWS2 8 high" in page.locator(".tiles").inner_text()
    alert = Alert.objects.get()
    due = alert.reading.taken_at + datetime.timedelta(minutes=5)
    due_text = page.locator(".due strong").inner_text()
    assert due_text == timezone.localtime(due).strftime("%H:%M")
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    screenshot(page, "chair-alert-issue-18-tablet")
    context.close()

    context, page = log_in(browser, live_server, physician, password, TABLET)
    page.goto(f"{live_server.url}/infusions/physician/")
    page.locator("#open-alerts", has_text="RR 8 <= 8").wait_for()
    assert page.locator("#open-alerts .badge").inner_text() == "1"
    screenshot(page, "physician-home-open-alert-tablet")
    context.close()
