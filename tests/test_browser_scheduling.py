"""Scheduling end to end in a real browser: the front desk plans and books a course, finds it
on the day board and checks the patient in; the board also fits a nurse's tablet."""

import datetime

import pytest
from django.utils import timezone

from scheduling import services
from scheduling.models import Appointment, AppointmentStatus
from scheduling.services import SessionRequest
from tests.browser_helpers import DESKTOP, TABLET, log_in, screenshot
from tests.factories import PatientFactory, on_the_visit_day
from tests.helpers import add_shifts, at, make_bookable, next_monday

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shifts")]


def book_others(site, protocol, chairs, nurse, second_nurse, front_desk):
    """Other patients on the same Monday, so the board looks like a working day."""
    add_shifts(second_nurse, site, timezone.localdate())
    plans = [(chairs[0], nurse, 11, 30), (chairs[1], second_nurse, 8, 0), (chairs[2], nurse, 14, 0)]
    for chair, who, hour, minute in plans:
        patient = make_bookable(PatientFactory(home_location=site), who)
        days, day = [], next_monday()
        while len(days) < 8:
            if day.weekday() in (0, 2, 4):
                days.append(day)
            day += datetime.timedelta(days=1)
        services.course_book(
            patient=patient, protocol=protocol, location=site, booked_by=front_desk,
            sessions=[SessionRequest(at(d, hour, minute), chair, who) for d in days],
        )  # fmt: skip
    Appointment.objects.filter(chair=chairs[1]).update(escort_confirmed=True)


def assert_fits_and_touchable(page, viewport):
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    for element in page.locator("main button, main .board-nav a").all():
        assert element.bounding_box()["height"] >= 44, element.inner_text()


def test_the_front_desk_books_a_course_and_checks_the_patient_in_from_the_board(
    browser, live_server, password, front_desk, nurse, second_nurse, site,
    chairs, patient, protocol,
):  # fmt: skip
    book_others(site, protocol, chairs, nurse, second_nurse, front_desk)
    monday = next_monday()

    # Plan the course: wishes, proposal, book.
    context, page = log_in(browser, live_server, front_desk, password, DESKTOP)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Plan a course").click()
    # The patient is picked by typing, then from the matches (keyboard: Tab, arrows).
    page.get_by_label("Patient", exact=True).fill(patient.legal_last_name[:4])
    match = page.locator(f"#pick-{patient.pk}")
    match.wait_for()
    screenshot(page, "scheduling-planner-typeahead-desktop")
    page.get_by_label("Patient", exact=True).press("Tab")
    page.keyboard.press("Space")
    assert match.is_checked()
    page.get_by_label("Protocol").select_option(str(protocol.pk))
    page.get_by_label("Site").select_option(str(site.pk))
    page.get_by_label("Start date").fill(monday.isoformat())
    page.get_by_label("Preferred time").fill("09:00")
    page.get_by_label("Planned infusions").fill("10")
    assert page.get_by_label("Monday").is_checked()
    page.get_by_role("button", name="Propose").click()
    page.get_by_role("heading", name="Proposed sessions").wait_for()
    assert page.locator("table.sessions tbody tr").count() == 10
    assert page.get_by_label("Session 1 date and time").input_value() == f"{monday}T09:00"
    screenshot(page, "scheduling-planner-desktop")
    page.get_by_role("button", name="Book course").click()
    page.wait_for_url("**/patients/*/?tab=courses")
    page.get_by_text("0 of 10 done").wait_for()
    assert page.get_by_role("cell", name=f"Mon {monday:%m/%d/%Y} 9:00 AM").is_visible()
    screenshot(page, "scheduling-courses-tab-desktop")
    first = Appointment.objects.get(patient=patient, sequence=1)
    page.goto(f"{live_server.url}/scheduling/board/?location={site.pk}&date={monday}")
    # Not Monday yet: the block is there, with no check-in (the visit's day only).
    assert page.locator(f"#appointment-{first.pk}").get_by_text(patient.display_name).is_visible()
    block = page.locator(f"#appointment-{first.pk}")
    assert block.get_by_role("button", name="Check in").count() == 0
    context.close()
    # The server's clock moves to Monday morning (the session cookie ends with the browser).
    with on_the_visit_day(first):
        board_check_in_on_the_day(browser, live_server, password, front_desk, nurse, site, first)


def board_check_in_on_the_day(browser, live_server, password, front_desk, nurse, site, first):
    monday, patient = timezone.localtime(first.starts_at).date(), first.patient
    context, page = log_in(browser, live_server, front_desk, password, DESKTOP)
    # The day board: the block, then check-in (htmx swaps the block).
    page.goto(f"{live_server.url}/scheduling/board/?location={site.pk}&date={monday}")
    block = page.locator(f"#appointment-{first.pk}")
    assert block.get_by_text(patient.display_name).is_visible()
    assert block.get_by_text("1 of 10").is_visible()
    assert block.get_by_text("Escort not confirmed").is_visible()
    assert_fits_and_touchable(page, DESKTOP)
    screenshot(page, "scheduling-board-desktop")
    # One click: the escort confirmed by phone (htmx swaps the block).
    block.get_by_role("button", name="Escort confirmed by phone").click()
    page.locator(f"#appointment-{first.pk}").get_by_text("by phone: Pat").wait_for()
    screenshot(page, "scheduling-board-escort-confirmed-desktop")
    block.get_by_role("button", name="Check in").click()
    page.locator(f"#appointment-{first.pk}").get_by_text("Checked in").wait_for()
    first.refresh_from_db()
    assert first.status == AppointmentStatus.CHECKED_IN
    screenshot(page, "scheduling-board-checked-in-desktop")
    page.get_by_role("navigation", name="View").get_by_role("link", name="Week").click()
    page.get_by_role("table").wait_for()
    assert page.get_by_role("heading", name=f"Week of {monday:%B} {monday.day}").is_visible()
    screenshot(page, "scheduling-week-desktop")
    context.close()

    # A nurse's tablet: the same board fits without sideways scrolling.
    context, page = log_in(browser, live_server, nurse, password, TABLET)
    page.goto(f"{live_server.url}/scheduling/board/?location={site.pk}&date={monday}")
    assert page.locator(f"#appointment-{first.pk}").get_by_text("Checked in").is_visible()
    assert_fits_and_touchable(page, TABLET)
    screenshot(page, "scheduling-board-tablet")
    page.goto(f"{live_server.url}/scheduling/board/week/?location={site.pk}&date={monday}")
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    screenshot(page, "scheduling-week-tablet")
    context.close()
