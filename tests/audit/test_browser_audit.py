"""The clinic admin's access report and record export in a real browser."""

import pytest

from audit.models import AccessLog
from tests.browser_helpers import DESKTOP, log_in, screenshot
from tests.factories import PatientFactory

pytestmark = pytest.mark.browser


def test_a_clinic_admin_opens_who_looked_and_the_export_from_the_patient_page(
    browser, live_server, password, clinic_admin, nurse, site
):
    patient = PatientFactory(home_location=site, legal_first_name="Maria", legal_last_name="Lopez")
    AccessLog.objects.create(user=nurse, patient=patient, view_name="infusions:chair",
                             kind="page", ip_address="10.0.0.7")  # fmt: skip
    context, page = log_in(browser, live_server, clinic_admin, password, DESKTOP)
    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    page.get_by_role("link", name="Who looked at this record").click()
    page.get_by_role("heading", name="Who looked at this record").wait_for()
    assert page.get_by_role("cell", name="infusions:chair").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    screenshot(page, "audit-who-looked")
    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    page.get_by_role("link", name="Export full record").click()
    page.get_by_role("heading", name="Full record of Maria Lopez").wait_for()
    assert page.get_by_role("link", name="Download JSON").is_visible()
    screenshot(page, "audit-export")
    context.close()
