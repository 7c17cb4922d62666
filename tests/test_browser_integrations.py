"""A clinic admin issues an integration's API key in the admin, in a real browser: the key is
shown once, and works at once."""

import pytest

from integrations.models import ApiKey
from tests.browser_helpers import DESKTOP, log_in, screenshot

pytestmark = pytest.mark.browser


def test_a_clinic_admin_issues_a_key_and_sees_the_secret_once(
    browser, live_server, site, clinic_admin, password
):
    context, page = log_in(browser, live_server, clinic_admin, password, DESKTOP)
    page.goto(f"{live_server.url}/admin/integrations/apikey/add/")
    page.get_by_label("Name").fill("Billing sync")
    page.get_by_label("Patients: read", exact=True).check()
    page.get_by_label("Scheduling: read and write").check()
    page.get_by_label(site.name).check()
    screenshot(page, "integrations-key-add-desktop")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("it is shown only this once").wait_for()
    secret = page.get_by_label("API key").input_value()
    key = ApiKey.objects.get(name="Billing sync")
    assert secret.startswith(f"{key.prefix}.")
    screenshot(page, "integrations-key-issued-desktop")

    answer = page.request.get(
        f"{live_server.url}/api/v1/appointments/", headers={"Authorization": f"Api-Key {secret}"}
    )
    assert answer.status == 200
    page.goto(f"{live_server.url}/admin/integrations/apikey/")
    assert secret.split(".")[1] not in page.content()
    screenshot(page, "integrations-key-list-desktop")
    context.close()
