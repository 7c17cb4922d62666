"""Plain helpers for the browser tests (Debian's Chromium driven by Playwright): viewports,
screenshots, logging in, and the chair screen's vitals form."""

from pathlib import Path

from tests import two_factor

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
DESKTOP = {"width": 1366, "height": 900}
TABLET = {"width": 768, "height": 1024}


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(browser, live_server, user, password, viewport):
    """Password, then (physicians, clinic admins) the code from the user's test phone."""
    device = two_factor.confirmed_device(user) if two_factor.needs_code(user) else None
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    if device is not None:
        page.wait_for_url("**/accounts/two-factor/**")
        page.get_by_label("Code").fill(two_factor.totp_code(device))
        page.get_by_role("button", name="Verify").click()
    page.wait_for_load_state()
    return context, page


def assert_fits_and_touchable(page, viewport):
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    for element in page.locator("main button, main .choice, main .scale-step span").all():
        box = element.bounding_box()
        assert box["height"] >= 44, element.inner_text()


def enter_vitals(page, systolic, diastolic, pulse, spo2):
    page.get_by_role("textbox", name="Systolic").fill(str(systolic))
    page.get_by_role("textbox", name="Diastolic").fill(str(diastolic))
    page.get_by_role("textbox", name="Pulse", exact=True).fill(str(pulse))
    page.get_by_role("textbox", name="SpO2 %").fill(str(spo2))
    page.get_by_role("button", name="Save vitals").click()
    page.get_by_role("cell", name=f"{systolic}/{diastolic}", exact=True).wait_for()


def status_is(page, label):
    page.locator("#infusion-status", has_text=label).wait_for()


def fill_discharge(page):
    """The discharge form as a nurse fills it for a well patient: modified Aldrete 9, pain 3,
    the escort here in person, instructions given (the button is left to the test)."""
    for item in ("activity", "respiration", "circulation", "consciousness"):
        page.locator(f'input[name="aldrete__{item}"][value="2"]').check()
    page.locator('input[name="aldrete__oxygen_saturation"][value="1"]').check()
    page.get_by_label("Post-infusion pain (0-10)").fill("3")
    page.get_by_label("Escort collecting the patient").fill("Pat Lee")
    page.get_by_label("Escort is here in person").check()
    page.get_by_label("Discharge instructions given").check()
