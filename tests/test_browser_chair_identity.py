"""Issue 18, items 4-6 and 8 on a nurse's tablet (768 x 1024): who is in the chair, 154
typed with kg chosen on a first weight, another site's patient booked here and one not,
the signed-in user in the header, and the printable record without sideways scrolling."""

import pytest
from django.urls import reverse

from patients import services
from tests.browser_helpers import TABLET, log_in, screenshot
from tests.factories import PatientFactory
from tests.helpers import NEGATIVE, make_appointment

pytestmark = pytest.mark.browser


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]


def test_a_nurse_checks_in_a_first_weight_typed_in_pounds_with_kg_chosen(
    browser,
    live_server,
    password,
    site,
    nurse,
    physician,
    protocol,
):
    appointment = make_appointment(site=site, nurse=nurse, protocol=protocol)
    screening = services.screening_record(
        patient=appointment.patient, recorded_by=nurse,
        answers={**NEGATIVE, "cardiovascular": "yes"},
    )  # fmt: skip
    services.clearance_record(
        screening=screening, physician=physician, decision="cleared_with_conditions",
        note="Hold if BP > 160/100",
    )  # fmt: skip
    context, page = log_in(browser, live_server, nurse, password, TABLET)
    problems = []
    page.on(
        "console",  # the refused check-in is answered with 400, as it should be
        lambda m: m.type == "error" and "status of 400" not in m.text and problems.append(m.text),
    )
    page.goto(live_server.url + reverse("infusions:chair", args=[appointment.pk]))
    who = page.locator(".who-name")
    assert who.is_visible() and nurse.get_full_name() in who.inner_text()
    banner = page.locator("[data-identity-banner]")
    assert "Hold if BP > 160/100" in banner.inner_text()
    assert appointment.patient.mrn in banner.inner_text()

    page.get_by_label("Escort is here").check()
    page.get_by_label("Today's weight").fill("154")
    other = page.locator("[data-weight-other]")
    assert other.inner_text() == "choose kg or lb"
    page.get_by_label("kg", exact=True).check()
    assert other.inner_text() == "= 339.5 lb"
    page.get_by_label("Pain 2", exact=True).check()
    page.get_by_role("button", name="Check in and open the chart").click()
    asked = page.locator(".weight-confirm")
    asked.wait_for()
    assert "154.00 kg (= 339.5 lb)" in asked.inner_text() and "69.85 kg" in asked.inner_text()
    assert no_sideways_scroll(page)
    screenshot(page, "identity-first-weight-confirm-tablet")

    page.get_by_label("lb", exact=True).check()  # the scale said pounds
    assert page.locator("[data-weight-other]").inner_text() == "= 69.85 kg"
    page.get_by_role("button", name="Check in and open the chart").click()
    page.locator("#infusion-status", has_text="Checked in").wait_for()
    assert "69.85 kg = 154.0 lb" in page.locator("[data-identity-banner]").inner_text()
    assert no_sideways_scroll(page)
    screenshot(page, "identity-chair-banner-tablet")

    page.goto(live_server.url + reverse("infusions:record_print", args=[appointment.pk]))
    assert "69.85 kg = 154.0 lb" in page.locator("[data-identity-banner]").inner_text()
    assert no_sideways_scroll(page)
    screenshot(page, "identity-printable-record-tablet")
    page.emulate_media(media="print")
    assert no_sideways_scroll(page)
    screenshot(page, "identity-printable-record-print")
    assert not problems, problems
    context.close()


def test_another_sites_patient_opens_when_booked_here_and_is_refused_saying_why_otherwise(
    browser,
    live_server,
    password,
    site,
    other_site,
    nurse,
    protocol,
):
    visitor = PatientFactory(home_location=other_site, legal_last_name="Visitor")
    make_appointment(site=site, nurse=nurse, protocol=protocol, patient=visitor)
    stranger = PatientFactory(home_location=other_site, legal_last_name="Stranger")
    context, page = log_in(browser, live_server, nurse, password, TABLET)
    page.goto(f"{live_server.url}/patients/{visitor.pk}/")
    page.get_by_role("heading", name=visitor.display_name).first.wait_for()
    screenshot(page, "identity-booked-here-tablet")

    response = page.goto(f"{live_server.url}/patients/{stranger.pk}/")
    assert response.status == 403
    text = page.locator("main").inner_text()
    assert "kept at another site" in text and "a clinic admin" in text
    assert page.locator(".who-name").is_visible()
    assert page.request.get(f"{live_server.url}/static/clinic/favicon.svg").ok
    screenshot(page, "identity-refusal-tablet")
    context.close()
