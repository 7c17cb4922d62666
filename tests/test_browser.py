"""Screens in a real browser: Debian's Chromium driven by Playwright."""

import pytest

from clinic.roles import Role
from tests.browser_helpers import DESKTOP, TABLET, screenshot
from tests.factories import TEST_PASSWORD, ChairFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("size_name", "viewport"), [("desktop", DESKTOP), ("tablet", TABLET)])
def test_a_nurse_logs_in_and_sees_her_chairs(browser, live_server, size_name, viewport, site):
    UserFactory(
        username="grace", first_name="Grace", last_name="Kim", role=Role.NURSE, locations=[site]
    )
    ChairFactory(location=site, name="Chair 1")
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Username").fill("grace")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/infusions/nurse/")
    assert page.get_by_role("heading", name="My chairs today").is_visible()
    assert page.get_by_text("Chair 1").is_visible()
    # Touch targets: every button and nav link is at least 44 px tall.
    for element in page.locator("button, nav a").all():
        assert element.bounding_box()["height"] >= 44
    # No horizontal scrolling at this width.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert screenshot(page, f"nurse-home-{size_name}").stat().st_size > 0
    context.close()


def test_a_wrong_password_is_shown_on_the_login_page(browser, live_server, db):
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").is_visible()
    screenshot(page, "login-error-tablet")
    context.close()
