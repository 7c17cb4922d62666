"""The patient's measures link in a real browser on a phone (375x667): the front desk sends
it from the Courses tab, the patient proves their date of birth, answers one question a
page (saved as they go), switches to Spanish, and a PHQ-9 item 9 above zero shows the 988
Lifeline at once."""

import datetime

import pytest
from django.utils import timezone

from outcomes import questions
from outcomes.models import PatientLink
from outcomes.services import link_save_answer
from outcomes.tokens import link_url
from tests.browser_helpers import ARTIFACTS, DESKTOP, assert_fits_and_touchable, log_in, screenshot
from tests.helpers import make_appointment

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 667}


def test_a_patient_answers_from_a_phone_in_english_and_spanish(
    browser, live_server, password, front_desk, nurse, protocol, site
):
    visit = make_appointment(
        site=site, nurse=nurse, protocol=protocol,
        starts_at=timezone.now() + datetime.timedelta(hours=3),
    )  # fmt: skip
    patient = visit.patient

    context, page = log_in(browser, live_server, front_desk, password, DESKTOP)
    page.goto(f"{live_server.url}/patients/{patient.pk}/?tab=courses")
    section = page.locator("#patient-due-measures")
    section.get_by_role("button", name="Send the open measures as a link").click()
    page.get_by_text("Measures link made").wait_for()
    section.locator(".measure-links").first.wait_for()
    section.screenshot(path=str(ARTIFACTS / "outcomes-link-staff-desktop.png"))
    link = PatientLink.objects.get(course=visit.course)
    url = link_url(link).replace("http://127.0.0.1:8000", live_server.url)
    context.close()

    phone = browser.new_context(viewport=PHONE)
    page = phone.new_page()
    page.goto(url)
    assert patient.legal_last_name not in page.content()
    screenshot(page, "outcomes-link-dob-phone-en")
    page.get_by_label("Your date of birth").fill("1900-01-01")
    page.get_by_role("button", name="Continue").click()
    page.get_by_text("does not match our records").wait_for()
    page.get_by_label("Your date of birth").fill(patient.date_of_birth.isoformat())
    page.get_by_role("button", name="Continue").click()

    page.get_by_text("Question 1 of 31").wait_for()
    page.get_by_label("6", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("Question 2 of 31").wait_for()
    page.get_by_label("3", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("Question 3 of 31").wait_for()
    assert_fits_and_touchable(page, PHONE)
    screenshot(page, "outcomes-link-question-phone-en")
    link.refresh_from_db()
    assert link.draft == {"1": 6, "2": 3}

    page.get_by_role("button", name="Español").click()
    page.get_by_text("Pregunta 3 de 31").wait_for()
    assert page.get_by_text("Caminar sin parar durante 20 minutos").is_visible()
    assert_fits_and_touchable(page, PHONE)
    screenshot(page, "outcomes-link-question-phone-es")

    for step in questions.steps(link.items)[2:-1]:
        link_save_answer(link=link, step=step.number, value=0)
    page.goto(url.rstrip("/") + "/q/31/")
    page.get_by_text("Pregunta 31 de 31").wait_for()
    page.get_by_label("Más de la mitad de los días").check()
    page.get_by_role("button", name="Guardar y continuar").click()
    page.get_by_role("alert").filter(has_text="988").wait_for()
    assert page.get_by_role("link", name="Llamar al 988").is_visible()
    screenshot(page, "outcomes-link-crisis-phone-es")
    page.get_by_role("button", name="Enviar mis respuestas").click()
    page.get_by_text("Sus respuestas se enviaron").wait_for()
    link.refresh_from_db()
    assert link.state() == "submitted"
    phone.close()
