"""Issue 18, items 2 and 7 tried as a tired nurse and a busy front desk would, on a tablet
(768 x 1024): starting an infusion with nothing drawn, and checking a patient in on the
wrong day. Each mistake is refused on screen, saying why."""

import datetime

import pytest
from django.utils import timezone

from infusions.models import InfusionRecord, InfusionStatus
from infusions.services import infusion_check_in, vitals_record
from scheduling.models import AppointmentStatus
from tests.browser_helpers import TABLET, log_in, screenshot
from tests.helpers import GOOD, make_appointment
from tests.infusions.drawing import stock_lot

pytestmark = pytest.mark.browser


def fits_the_tablet(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]


def test_a_nurse_cannot_start_with_nothing_drawn_and_draws_from_the_chair(
    browser, live_server, password, appointment, verified_order, nurse
):
    record = infusion_check_in(appointment=appointment, by=nurse)
    vitals_record(record=record, taken_by=nurse, **GOOD)
    lot = stock_lot(verified_order, number="KET-2291")
    context, page = log_in(browser, live_server, nurse, password, TABLET)
    page.goto(f"{live_server.url}/infusions/appointments/{appointment.pk}/chair/")
    blockers = page.locator("#start-blockers")
    assert "No drug has been drawn for this order" in blockers.inner_text()
    page.get_by_role("button", name="Start infusion").click()
    refusal = page.locator(".banner.danger[role=alert]", has_text="Not saved")
    refusal.wait_for()
    assert "No drug has been drawn for this order" in refusal.inner_text()
    assert page.locator("#infusion-status").inner_text() == "Pre-assessment"
    fits_the_tablet(page)
    screenshot(page, "chair-start-refused-no-draw-tablet")
    record.refresh_from_db()
    assert record.status == InfusionStatus.PRE_ASSESSMENT and record.started_at is None

    page.get_by_role("link", name="Record the draw").click()
    page.wait_for_load_state()
    page.get_by_label("Lot").select_option(str(lot.pk))
    page.get_by_label("Volume drawn (mL)").fill("0.70")
    screenshot(page, "dose-panel-draw-form-tablet")
    page.get_by_role("button", name="Record draw").click()
    page.wait_for_load_state()
    assert page.get_by_text("Draw recorded.").is_visible()
    assert page.get_by_text("Ready to start: signed, independently double-checked").is_visible()
    assert page.get_by_text("from lot KET-2291 by").is_visible()
    fits_the_tablet(page)
    screenshot(page, "dose-panel-drawn-ready-tablet")

    page.goto(f"{live_server.url}/infusions/appointments/{appointment.pk}/chair/")
    page.get_by_role("button", name="Start infusion").click()
    page.locator("#infusion-status", has_text="Running").wait_for()
    context.close()


def test_the_desk_and_the_chair_refuse_a_check_in_three_days_early(
    browser, live_server, password, site, nurse, front_desk, protocol
):
    visit_at = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    visit_at += datetime.timedelta(days=3)
    early = make_appointment(site=site, nurse=nurse, protocol=protocol, starts_at=visit_at)
    name = early.patient.display_name

    context, page = log_in(browser, live_server, front_desk, password, TABLET)
    page.goto(f"{live_server.url}/scheduling/board/?location={site.pk}&date={visit_at.date()}")
    block = page.locator(f"#appointment-{early.pk}")
    assert name in block.inner_text()
    assert block.get_by_role("button", name="Check in").count() == 0
    screenshot(page, "board-no-check-in-three-days-early-tablet")
    context.close()

    context, page = log_in(browser, live_server, nurse, password, TABLET)
    page.goto(f"{live_server.url}/infusions/appointments/{early.pk}/chair/")
    banner = page.locator("#wrong-day")
    assert f"This visit is not until {visit_at:%A %m/%d/%Y}" in banner.inner_text()
    assert page.get_by_role("button", name="Check in and open the chart").count() == 0
    fits_the_tablet(page)
    screenshot(page, "chair-check-in-refused-wrong-day-tablet")
    context.close()
    early.refresh_from_db()
    assert early.status == AppointmentStatus.SCHEDULED
    assert not InfusionRecord.objects.filter(appointment=early).exists()


def test_a_nurse_undoes_a_mistaken_check_in_at_the_chair(
    browser, live_server, password, appointment, nurse
):
    infusion_check_in(appointment=appointment, by=nurse)
    context, page = log_in(browser, live_server, nurse, password, TABLET)
    page.goto(f"{live_server.url}/infusions/appointments/{appointment.pk}/chair/")
    page.get_by_text("Checked in by mistake? Undo the check-in").click()
    page.get_by_label("Why (wrong patient, wrong day…)").fill("Wrong patient's chart")
    screenshot(page, "chair-undo-check-in-tablet")
    page.get_by_role("button", name="Undo check-in").click()
    page.get_by_role("button", name="Check in and open the chart").wait_for()
    fits_the_tablet(page)
    context.close()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCHEDULED
