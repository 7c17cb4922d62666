"""The outcome-measure screens in a real browser: a clinic admin revises a protocol's
schedule from the admin home, and the front desk sees a course's due measures on the
patient's Courses tab."""

import pytest

from outcomes.schedule import Item
from outcomes.selectors import current_schedule
from tests.browser_helpers import ARTIFACTS, DESKTOP, log_in, screenshot
from tests.helpers import book, mon_wed_fri, next_monday

pytestmark = pytest.mark.browser


def test_a_clinic_admin_revises_a_schedule_and_the_desk_sees_the_due_measures(
    browser, live_server, password, clinic_admin, front_desk, patient, protocol, site,
    chairs, shifts,
):  # fmt: skip
    # The course starts a week or more ahead: with next Monday, on a Sunday after 9 am the
    # first infusion was less than a day away and its "before" questionnaire open too.
    book(patient, protocol, site, mon_wed_fri(next_monday(2), 8), chairs[0], shifts, front_desk)

    context, page = log_in(browser, live_server, clinic_admin, password, DESKTOP)
    page.goto(f"{live_server.url}/scheduling/setup/")
    page.get_by_role("link", name="Outcome measures").click()
    page.get_by_role("link", name="Open").click()
    row = page.get_by_role("group", name="FIQR")
    row.get_by_label("After infusions (numbers, e.g. 4, 8)").fill("4, 8")
    page.get_by_label("What changed and why").fill("FIQR after the eighth as well")
    screenshot(page, "outcomes-schedule-form-desktop")
    page.get_by_role("button", name="Save as the next version").click()
    page.get_by_text("Version 1 is now the schedule.").wait_for()
    assert Item("fiqr", "after_infusion", 8) in current_schedule(protocol).items
    context.close()

    context, page = log_in(browser, live_server, front_desk, password, DESKTOP)
    page.goto(f"{live_server.url}/patients/{patient.pk}/?tab=courses")
    section = page.locator("#patient-due-measures")
    section.wait_for()
    # The baseline questionnaires are open now (the 30 days before the first infusion), so
    # the course's list is shown unfolded.
    assert "0 of 29 answered, 2 open now" in section.locator("summary").inner_text()
    assert section.get_by_role("rowheader", name="FIQR after infusion 8").is_visible()
    screenshot(page, "outcomes-courses-tab-desktop")
    section.screenshot(path=str(ARTIFACTS / "outcomes-due-measures-desktop.png"))
    context.close()
