"""The demo clinic as a newcomer meets it: each role's home on a freshly seeded clinic shows
the day's live work, and the main screens have no serious or critical accessibility
violation (axe-core, through axe-playwright-python, in Debian's Chromium)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.management import call_command

from tests.browser_helpers import DESKTOP, TABLET, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SERIOUS = {"serious", "critical"}


def _log_in(page, base: str, username: str) -> None:
    from clinic.models import User
    from tests import two_factor

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    if page.get_by_label("Code").count():
        user = User.objects.get(username=username)
        page.get_by_label("Code").fill(two_factor.totp_code(two_factor.confirmed_device(user)))
        page.get_by_role("button", name="Verify").click()
        page.wait_for_load_state()


def _serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} "
        f"at {[node['target'] for node in violation['nodes']][:3]}"
        for violation in results.response["violations"]
        if violation["impact"] in SERIOUS
    ]


# Each role: the screens to check, and the text its home must show on a demo day.
TOUR = {
    "frontdesk": [
        "/",
        "/scheduling/board/week/",
        "/scheduling/plan/",
        "/patients/",
        "/scheduling/reminders/",
    ],
    "nurse": ["/", "/infusions/drug-log/"],
    "physician": ["/", "/infusions/orders/unsigned/"],
    "admin": ["/"],
}


@pytest.fixture
def demo_clinic(transactional_db, settings):
    settings.DEV = True
    call_command("seed_demo", verbosity=0)


def test_the_main_screens_have_no_serious_accessibility_violation(
    browser, live_server, demo_clinic
):
    found: dict[str, list[str]] = {}
    for username, paths in TOUR.items():
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        _log_in(page, live_server.url, username)
        for path in paths:
            for size, viewport in (("desktop", DESKTOP), ("tablet", TABLET)):
                page.set_viewport_size(viewport)
                page.goto(f"{live_server.url}{path}")
                page.wait_for_load_state("networkidle")
                problems = _serious_violations(page)
                if problems:
                    found[f"{username} {path} {size}"] = problems
        screenshot(page, f"tour-{username}-home")
        context.close()
    assert not found, found
