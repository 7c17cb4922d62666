"""The patient's message history on the patient page, in a real browser."""

import pytest
from django.utils import timezone

from scheduling.models import MessageStatus, OutboundMessage
from tests.test_browser import DESKTOP, TABLET, screenshot
from tests.test_browser_intake import log_in

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
