"""Patient intake end to end in a real browser: front desk, nurse (tablet), physician."""

import pytest

from patients.models import ConsentDocument, Patient
from tests.browser_helpers import DESKTOP, TABLET, assert_fits_and_touchable, log_in, screenshot

pytestmark = pytest.mark.browser


def test_a_patient_goes_from_registration_to_physician_clearance(
    browser,
    live_server,
    password,
    front_desk,
    nurse,
    physician,
    site,
):
    ConsentDocument.objects.create(
        title="Ketamine infusion consent", version="1", body="I consent.",
        effective_from="2025-01-01",
    )  # fmt: skip

    # Front desk, desktop: register the patient.
    context, page = log_in(browser, live_server, front_desk, password, DESKTOP)
    page.get_by_role("link", name="Patients", exact=True).click()
    page.get_by_role("link", name="Register a patient").click()
    page.get_by_label("Legal first name").fill("Maria")
    page.get_by_label("Legal last name").fill("Lopez")
    page.get_by_label("Date of birth").fill("1980-04-02")
    page.get_by_label("Female").check()
    page.get_by_label("Phone").fill("(949) 555-0123")
    page.get_by_label("Eye mask").check()
    page.get_by_label("Blanket").check()
    screenshot(page, "intake-register-desktop")
    page.get_by_role("button", name="Register patient").click()
    page.wait_for_url("**/patients/*/")
    patient = Patient.objects.get()
    assert page.get_by_role("heading", name="Maria Lopez").is_visible()
    assert page.get_by_text("Not screened").is_visible()
    assert page.get_by_text("Eye mask").is_visible()
    screenshot(page, "intake-patient-front-desk-desktop")
    # Search as you type (htmx).
    page.get_by_role("link", name="Patients", exact=True).click()
    page.get_by_label("Search by name").fill("lop")
    page.get_by_role("link", name="Lopez, Maria").wait_for()
    screenshot(page, "intake-search-desktop")
    context.close()

    # Nurse, tablet: clinical intake, screening with a positive answer, questionnaires.
    context, page = log_in(browser, live_server, nurse, password, TABLET)
    page.goto(f"{live_server.url}/patients/{patient.pk}/?tab=intake")
    page.get_by_role("link", name="Record intake").click()
    page.get_by_label("Symptoms for (months)").fill("36")
    page.get_by_label("Depression").check()
    page.get_by_label("No known drug allergies").check()
    page.get_by_label("Gabapentinoids (gabapentin, pregabalin): result").select_option(
        "side_effects"
    )
    page.get_by_label("Gabapentinoids (gabapentin, pregabalin): detail").fill("pregabalin")
    assert_fits_and_touchable(page, TABLET)
    screenshot(page, "intake-clinical-intake-tablet")
    page.get_by_role("button", name="Save intake").click()
    page.wait_for_url("**?tab=intake")
    assert page.get_by_role("cell", name="Stopped for side effects").is_visible()
    page.goto(f"{live_server.url}/patients/{patient.pk}/?tab=screening")
    page.get_by_role("link", name="Screen the patient").click()
    for question in ("Poorly controlled", "Pregnant", "Active psychosis", "Severe or moderate",
                     "intracranial", "intraocular", "substance"):  # fmt: skip
        answer = "Yes" if question == "Poorly controlled" else "No"
        group = page.get_by_role("group", name=question)
        group.get_by_label(answer, exact=True).check()
    assert_fits_and_touchable(page, TABLET)
    screenshot(page, "intake-screening-tablet")
    page.get_by_role("button", name="Save screening").click()
    page.wait_for_url("**?tab=screening")
    assert page.locator(".flags").get_by_text("Needs physician clearance").is_visible()
    screenshot(page, "intake-screened-tablet")

    page.goto(f"{live_server.url}/patients/{patient.pk}/measures/phq9/new/")
    for n in range(1, 10):
        page.locator(f"#field-item_{n}").get_by_label("Not at all").check()
    assert_fits_and_touchable(page, TABLET)
    screenshot(page, "intake-phq9-tablet")
    page.get_by_role("button", name="Save PHQ-9").click()
    page.wait_for_url("**?tab=measures")
    page.goto(f"{live_server.url}/patients/{patient.pk}/measures/pain/new/")
    page.locator("label.scale-step", has_text="6").first.click()
    assert_fits_and_touchable(page, TABLET)
    screenshot(page, "intake-pain-tablet")
    page.get_by_role("button", name="Save Pain score").click()
    page.wait_for_url("**?tab=measures")
    assert page.get_by_role("cell", name="6/10").is_visible()
    context.close()

    # Physician: the patient is on the home page; clear them; the flag goes.
    context, page = log_in(browser, live_server, physician, password, DESKTOP)
    awaiting = page.get_by_role("region", name="Patients awaiting clearance")
    assert awaiting.get_by_text("Poorly controlled cardiovascular disease or hypertension: yes")
    screenshot(page, "intake-physician-home-desktop")
    awaiting.get_by_role("link", name="Maria Lopez").click()
    page.get_by_label("Cleared", exact=True).check()
    page.get_by_label("Reasoning and any conditions").fill("BP 128/82 on treatment; controlled.")
    screenshot(page, "intake-clearance-desktop")
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_url("**?tab=screening")
    assert page.get_by_text("Cleared by").is_visible()
    assert page.locator(".flags").get_by_text("Needs physician clearance").count() == 0
    page.goto(f"{live_server.url}/infusions/physician/")
    assert page.get_by_text("Nobody is waiting.").is_visible()
    context.close()
