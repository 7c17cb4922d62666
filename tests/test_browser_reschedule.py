"""The front desk in a real browser: moves a session by picking a free slot, cancels another
and books its make-up in one click; the desk's home shows the work waiting."""

import datetime

import pytest

from scheduling.models import Appointment, AppointmentStatus
from tests.browser_helpers import DESKTOP, log_in, screenshot
from tests.helpers import at, book_course, next_monday

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shifts")]


def test_the_desk_moves_a_session_by_picking_a_slot_then_books_a_make_up(
    browser, live_server, password, front_desk, nurse, site, chairs, patient, protocol
):
    course = book_course(patient, protocol, site, chairs[0], nurse, front_desk, count=8)
    second = course.appointments.get(sequence=2)
    tuesday = next_monday() + datetime.timedelta(days=1)
    context, page = log_in(browser, live_server, front_desk, password, DESKTOP)
    page.wait_for_selector(".work-waiting")

    page.goto(f"{live_server.url}/scheduling/appointments/{second.pk}/reschedule/")
    page.get_by_label("Day to show").fill(tuesday.isoformat())
    page.get_by_role("button", name="Show free times").click()
    page.get_by_text("Free on Tuesday").wait_for()
    page.locator("label.slot", has_text="10:00").click()
    screenshot(page, "reschedule-slots-desktop")
    page.get_by_role("button", name="Move to the picked time").click()
    page.get_by_text("Appointment moved to").wait_for()
    second.refresh_from_db()
    assert second.starts_at == at(tuesday, 10)

    third = course.appointments.get(sequence=3)
    page.goto(f"{live_server.url}/scheduling/appointments/{third.pk}/cancel/")
    page.get_by_label("Reason").fill("Flu")
    page.get_by_role("button", name="Cancel session").click()
    page.get_by_role("heading", name="Make-up session").wait_for()
    screenshot(page, "make-up-offer-desktop")
    page.get_by_role("button", name="Book this make-up session").click()
    page.get_by_text("Make-up booked").wait_for()
    made = Appointment.objects.get(makes_up_for=third)
    assert made.status == AppointmentStatus.SCHEDULED and made.sequence == 9
    page.go_back()  # the offer again: it says it is done, and books nothing twice
    page.reload()
    page.get_by_text("Already made up").wait_for()
    assert Appointment.objects.filter(makes_up_for=third).count() == 1
    context.close()
