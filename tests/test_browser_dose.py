"""The dose panel on a nurse's tablet (768 x 1024), through order, signature and the blind
independent double-check by two nurses, in a real browser."""

import re

import pytest

from tests.browser_helpers import TABLET, log_in, screenshot
from tests.helpers import weigh
from tests.two_factor import confirmed_device, totp_code

pytestmark = pytest.mark.browser


def assert_tablet_friendly(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    for element in page.locator("main button, main .choice, main .button, main input").all():
        if element.is_visible() and element.get_attribute("type") not in ("radio", "hidden"):
            box = element.bounding_box()
            assert box["height"] >= 44, element.inner_text() or element.get_attribute("name")


def test_two_nurses_double_check_a_154_lb_dose_blind_on_a_tablet(
    browser, live_server, password, appointment, nurse, second_nurse, physician
):
    weigh(appointment, nurse, "154", "lb")
    panel_url = f"{live_server.url}/infusions/appointments/{appointment.pk}/dose/"

    # First nurse orders the dose: she picks the weight and the vial; the dose stays hidden.
    context, page = log_in(browser, live_server, nurse, password, TABLET)
    page.goto(panel_url)
    page.get_by_label(re.compile(r"69\.85 kg")).check()
    page.get_by_label("50 mg/mL").check()
    assert_tablet_friendly(page)
    page.get_by_role("button", name="Calculate and order").click()
    page.wait_for_load_state()
    assert page.get_by_text("Do not start the infusion").is_visible()
    assert "34.9" not in page.content()
    context.close()

    # The physician signs it.
    context, page = log_in(browser, live_server, physician, password, TABLET)
    page.goto(panel_url)
    assert page.locator(".number.key").first.inner_text().startswith("Dose")
    assert "34.9" in page.content()
    # A wrong code signs nothing; the current code from the physician's phone signs.
    code_field = page.get_by_label("Your two-factor code")
    assert code_field.get_attribute("autocomplete") == "off"
    code_field.fill("000000")
    page.get_by_role("button", name="Sign order").click()
    page.wait_for_load_state()
    assert page.get_by_text("That code is wrong or was already used").is_visible()
    confirmed_device(physician).throttle_reset()  # the 1 s back-off after a wrong code
    assert_tablet_friendly(page)
    screenshot(page, "dose-panel-sign-step-up-tablet")
    page.get_by_label("Your two-factor code").fill(totp_code(confirmed_device(physician)))
    page.get_by_role("button", name="Sign order").click()
    page.wait_for_load_state()
    assert page.get_by_text("Order signed.").is_visible()
    context.close()

    # First nurse enters her check.
    context, page = log_in(browser, live_server, nurse, password, TABLET)
    page.goto(panel_url)
    page.get_by_label("Dose you calculated (mg)").fill("34.9")
    page.get_by_role("button", name="Submit my check").click()
    page.wait_for_load_state()
    assert page.get_by_text("1 of 2 nurses have checked").is_visible()
    context.close()

    # Second nurse: neither the order's dose nor the first nurse's number is on her screen.
    context, page = log_in(browser, live_server, second_nurse, password, TABLET)
    page.goto(panel_url)
    assert "34.9" not in page.content() and "0.70" not in page.content()
    assert page.get_by_text("Hidden until you enter your check").is_visible()
    assert_tablet_friendly(page)
    screenshot(page, "dose-panel-blind-second-nurse-tablet")
    page.get_by_label("Dose you calculated (mg)").fill("34.9")
    page.get_by_role("button", name="Submit my check").click()
    page.wait_for_load_state()
    # Verified, but nothing drawn yet: the panel names what is still missing.
    assert page.get_by_text("No drug has been drawn for this order").is_visible()
    assert page.get_by_text("Verified: two nurses calculated the same dose.").is_visible()
    assert page.locator(".number.key").first.inner_text().replace("\n", " ").startswith("Dose 34.9")
    assert_tablet_friendly(page)
    screenshot(page, "dose-panel-verified-tablet")
    context.close()
