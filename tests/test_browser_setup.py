"""The clinic admin's set-up screens in a real browser at desktop width: the nurse rota,
a site's hours and closures, the staff page."""

import datetime

import pytest

from scheduling.services import rota
from scheduling.services.site_setup import closed_day_add
from tests.browser_helpers import DESKTOP, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.federal_holidays]

CHRISTMAS_WEEK = datetime.date(2026, 12, 21)


def fill_rota(site, admin, nurses):
    for offset in range(3):
        day = CHRISTMAS_WEEK + datetime.timedelta(days=offset)
        for nurse, (starts, ends) in zip(nurses, [(7, 15), (11, 19)], strict=True):
            rota.shift_set(actor=admin, location=site, nurse=nurse, day=day,
                           starts=datetime.time(starts), ends=datetime.time(ends))  # fmt: skip


def test_the_rota_grid_shows_nurses_by_day_with_christmas_closed(
    browser, live_server, clinic_open, clinic_admin, nurse, second_nurse, password
):
    fill_rota(clinic_open, clinic_admin, [nurse, second_nurse])
    context, page = log_in(browser, live_server, clinic_admin, password, DESKTOP)
    page.goto(f"{live_server.url}/scheduling/setup/rota/?date={CHRISTMAS_WEEK.isoformat()}")
    assert page.get_by_text("Closed: Christmas Day, a US federal holiday").is_visible()
    start = page.get_by_label(f"{nurse} Thu 12/24 start")
    start.fill("09:00")
    page.get_by_label(f"{nurse} Thu 12/24 end").fill("13:00")
    page.locator("form.shift-new", has=start).get_by_role("button", name="Set").click()
    page.wait_for_load_state()
    screenshot(page, "setup-rota-desktop")
    assert page.get_by_text("09:00–13:00", exact=True).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    screenshot(page, "setup-rota-desktop")
    context.close()


def test_the_site_page_shows_hours_and_closures(
    browser, live_server, clinic_open, clinic_admin, password
):
    closed_day_add(actor=clinic_admin, location=clinic_open, date=datetime.date(2026, 12, 31),
                   reason="Year-end inventory")  # fmt: skip
    context, page = log_in(browser, live_server, clinic_admin, password, DESKTOP)
    page.goto(f"{live_server.url}/scheduling/setup/site/")
    assert page.get_by_text("Year-end inventory").is_visible()
    page.get_by_label("Date").fill("2027-01-08")
    page.get_by_label("Reason").fill("Staff training")
    page.get_by_role("button", name="Close this day").click()
    page.wait_for_load_state()
    assert page.get_by_text("Staff training").is_visible()
    screenshot(page, "setup-site-desktop")
    context.close()


def test_the_staff_page_shows_roles_sites_and_active(
    browser, live_server, site, clinic_admin, nurse, front_desk, physician, password
):
    context, page = log_in(browser, live_server, clinic_admin, password, DESKTOP)
    page.goto(f"{live_server.url}/staff/")
    screenshot(page, "setup-staff-desktop")
    page.locator("tr", has_text=nurse.username).get_by_role("link", name="Edit").click()
    page.get_by_label("Active").uncheck()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.locator("tr.inactive", has_text=nurse.username).is_visible()
    screenshot(page, "setup-staff-after-deactivate-desktop")
    context.close()
