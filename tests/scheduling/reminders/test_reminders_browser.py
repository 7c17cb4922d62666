"""The patient's message history on the patient page, in a real browser."""

import pytest
from django.utils import timezone

from scheduling.models import MessageStatus, OutboundMessage
from tests.browser_helpers import DESKTOP, TABLET, log_in, screenshot

from .helpers import booked

S = MessageStatus
pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("size_name", "viewport"), [("desktop", DESKTOP), ("tablet", TABLET)])
def test_the_courses_tab_lists_every_message_with_its_outcome(
    browser, live_server, password, size_name, viewport, clinic, protocol, front_desk, monkeypatch
):
    # A Celery worker started by an earlier test may still be consuming this run's queue:
    # no kick after the booking, so it cannot send the welcome rows this test sets by hand.
    monkeypatch.setattr("scheduling.reminders.outbox.kick_dispatch", lambda: None)
    appointment = booked(clinic, protocol, front_desk)
    patient = appointment.patient
    sent, failed, skipped = appointment.messages.filter(channel="sms").order_by("pk")[:3]
    OutboundMessage.objects.filter(pk=sent.pk).update(
        status=S.SENT, sent_at=timezone.now(), recipient=str(patient.phone), attempts=1
    )
    OutboundMessage.objects.filter(pk=failed.pk).update(
        status=S.FAILED, attempts=5, reason="Provider error after 5 attempt(s)",
        last_error="503 Service Unavailable",
    )  # fmt: skip
    OutboundMessage.objects.filter(pk=skipped.pk).update(
        status=S.SKIPPED, reason="The escort has not agreed to reminders"
    )
    context, page = log_in(browser, live_server, front_desk, password, viewport)
    page.goto(f"{live_server.url}/patients/{patient.pk}/?tab=courses")
    messages = page.get_by_role("region", name="Messages")
    messages.get_by_role("heading", name="Messages").wait_for()
    rows = messages.locator("tbody tr")
    assert rows.count() == 9
    assert messages.get_by_text("Provider error after 5 attempt(s)").is_visible()
    assert messages.get_by_text("503 Service Unavailable").is_visible()
    assert messages.get_by_text("The escort has not agreed to reminders").is_visible()
    assert messages.get_by_text("Sent", exact=True).is_visible()
    page.get_by_role("heading", name="Courses", exact=True).wait_for()  # both panels loaded
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"reminders-patient-messages-{size_name}")
    context.close()


def test_a_nurse_with_a_long_name_does_not_push_the_courses_tab_sideways_on_a_tablet(
    browser, live_server, password, clinic, protocol, front_desk, monkeypatch
):
    """Found in a CI run: a long generated nurse name widened the course's table past 768 px."""
    monkeypatch.setattr("scheduling.reminders.outbox.kick_dispatch", lambda: None)
    nurse = clinic[2]
    nurse.first_name, nurse.last_name = "Bartholomew-Alexander", "Featherstonehaugh-Wolfeschlegel"
    nurse.save(update_fields=["first_name", "last_name"])
    appointment = booked(clinic, protocol, front_desk)
    context, page = log_in(browser, live_server, front_desk, password, TABLET)
    page.goto(f"{live_server.url}/patients/{appointment.patient.pk}/?tab=courses")
    page.get_by_role("heading", name="Courses", exact=True).wait_for()
    assert page.get_by_text("Featherstonehaugh-Wolfeschlegel").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    context.close()
