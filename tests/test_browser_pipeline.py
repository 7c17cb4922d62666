"""The front desk's pipeline in a real browser: the overdue count on the home, the columns by
stage with the overdue request marked, a contact attempt, a consultation booked, then
cancelled from its card."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from patients import services as patients
from patients.models import ConsultationRequest, Stage
from tests.browser_helpers import DESKTOP, log_in, screenshot
from tests.helpers import next_monday

pytestmark = [pytest.mark.browser]


def leads(site, front_desk, physician):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=7)):
        late = patients.consultation_submit(
            name="Late Website Caller", phone="+19495550120", preferred_location=site,
            message="Treatment-resistant depression, 8 years",
        )  # fmt: skip
    patients.consultation_submit(
        name="Rosa Phone", phone="+19495550121", preferred_location=site, source="phone",
        taken_by=front_desk,
    )  # fmt: skip
    referred = patients.consultation_submit(
        name="Ken Referral", phone="+19495550122", preferred_location=site, source="referral",
        referred_by="Dr. Kim, Irvine Psychiatry", taken_by=front_desk,
    )  # fmt: skip
    patients.contact_attempt_record(
        request=referred, channel="phone", outcome="voicemail", recorded_by=front_desk
    )
    lost = patients.consultation_submit(
        name="Lee Lost", phone="+19495550123", preferred_location=site, source="phone",
        taken_by=front_desk,
    )  # fmt: skip
    patients.consultation_close(request=lost, closed_by=front_desk, reason="Cost; no insurance")
    return late, referred


def test_the_desk_works_the_pipeline(
    browser, live_server, password, front_desk, physician, site, clinic_open
):
    late, referred = leads(site, front_desk, physician)
    context, page = log_in(browser, live_server, front_desk, password, DESKTOP)
    page.wait_for_selector(".work-waiting")
    assert "Requests not contacted within 1 business day" in page.content()

    page.goto(f"{live_server.url}/scheduling/pipeline/")
    page.get_by_text("1 overdue:").wait_for()
    assert page.locator(".lead-overdue").count() == 1
    screenshot(page, "pipeline-desktop")

    page.locator(".lead-overdue").get_by_role("link", name="Contact attempt").click()
    page.get_by_label("Phone call").check()
    page.get_by_label("Reached", exact=True).check()
    page.get_by_role("button", name="Record attempt").click()
    page.get_by_text("Contact attempt for Late Website Caller recorded.").wait_for()
    assert page.locator(".lead-overdue").count() == 0

    page.locator(".lead", has_text="Ken Referral").get_by_role(
        "link", name="Book consultation"
    ).click()
    monday = next_monday()
    page.get_by_label("Starts").fill(f"{monday.isoformat()}T10:00")
    page.get_by_label("Physician").select_option(str(physician.pk))
    page.get_by_label("Telehealth").check()
    page.get_by_role("button", name="Book consultation").click()
    page.get_by_text("booked for Ken Referral").wait_for()
    screenshot(page, "pipeline-consultation-booked-desktop")
    referred.refresh_from_db()
    assert referred.stage == Stage.CONSULTATION_BOOKED
    late.refresh_from_db()
    assert late.stage == Stage.CONTACTED
    assert ConsultationRequest.objects.filter(stage=Stage.LOST).count() == 1

    # The caller cannot come: the desk cancels the consultation from the card.
    page.locator(".lead", has_text="Ken Referral").get_by_role(
        "link", name="Cancel consultation"
    ).click()
    page.get_by_role("button", name="Cancel consultation").click()
    page.get_by_text("Please correct the fields marked below").wait_for()  # no reason
    page.get_by_label("Reason").fill("Caller has to travel that week")
    assert page.get_by_label('Move the request back to "contacted"').is_checked()
    screenshot(page, "pipeline-consultation-cancel-desktop")
    page.get_by_role("button", name="Cancel consultation").click()
    page.get_by_text("Consultation for Ken Referral cancelled").wait_for()
    card = page.locator(".lead", has_text="Ken Referral")
    assert card.get_by_role("link", name="Book consultation").count() == 1
    screenshot(page, "pipeline-consultation-cancelled-desktop")
    referred.refresh_from_db()
    assert referred.stage == Stage.CONTACTED
    consultation = referred.consultations.get()
    assert consultation.status == "cancelled"
    assert consultation.status_changes.last().reason == "Caller has to travel that week"
    context.close()
