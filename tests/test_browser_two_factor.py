"""Two-factor in a real browser: a physician sets up an authenticator app at her first
login, then logs in again with a code, landing on the page she asked for."""

from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import two_factor
from tests.browser_helpers import DESKTOP, TABLET, screenshot

pytestmark = pytest.mark.browser


def code_from_secret(secret_text: str) -> str:
    """What a phone that was given the typed secret shows now."""
    key = b32decode(secret_text.replace(" ", ""))
    return f"{TOTP(key).token():06d}"


def test_a_physician_sets_up_two_factor_and_logs_in_with_a_code(
    browser, live_server, physician, password
):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    csp_errors = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security" in m.text else 0)
    wanted = f"{live_server.url}/patients/"

    page.goto(wanted)
    page.get_by_label("Username").fill(physician.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()

    # Enrolment: a scannable QR code (an SVG data URI, allowed by the CSP) and the secret.
    page.wait_for_url("**/accounts/two-factor/set-up/**")
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    assert qr.evaluate("img => img.naturalWidth") > 0
    secret = page.locator("#totp-secret").inner_text()
    screenshot(page, "two-factor-enrol-desktop")
    page.get_by_label("Code shown in the app").fill("000000")
    page.get_by_role("button", name="Turn on two-factor").click()
    assert page.get_by_role("alert").is_visible()
    page.get_by_label("Code shown in the app").fill(code_from_secret(secret))
    page.get_by_role("button", name="Turn on two-factor").click()

    page.get_by_role("heading", name="Two-factor is on").wait_for()
    assert page.get_by_role("list", name="Backup codes").locator("li").count() == 10
    screenshot(page, "two-factor-backup-codes-desktop")
    page.get_by_role("link", name="I have saved them, continue").click()
    page.wait_for_url(wanted)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/**")
    context.close()

    # Next login, on a tablet: password, then the code, back to the page asked for.
    device = TOTPDevice.objects.get(user=physician, confirmed=True)
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    page.goto(wanted)
    page.get_by_label("Username").fill(physician.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/two-factor/?next=**")
    page.get_by_label("Code").fill("12345")
    page.get_by_role("button", name="Verify").click()
    assert page.get_by_role("alert").is_visible()
    screenshot(page, "two-factor-code-step-tablet")
    page.wait_for_timeout(1100)  # the throttle after one wrong code
    page.get_by_label("Code").fill(two_factor.totp_code(device))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(wanted)
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    page.get_by_role("link", name="Security").click()
    page.get_by_text("10 backup codes left").wait_for()
    screenshot(page, "two-factor-security-tablet")
    assert csp_errors == []
    context.close()
