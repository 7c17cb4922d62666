"""The chair screen on a nurse's tablet (768 x 1024), a whole session in a real browser:
check-in, baseline vitals, start, vitals with an alert, complete, recovery and discharge."""

import datetime

import pytest
from playwright.sync_api import expect

from infusions.models import InfusionRecord, InfusionStatus
from scheduling.models import AppointmentStatus
from tests.browser_helpers import (
    TABLET,
    enter_vitals,
    fill_discharge,
    log_in,
    screenshot,
    status_is,
)
from tests.chair_clock import advance
from tests.infusions.drawing import ensure_drawn

pytestmark = pytest.mark.browser


def test_a_nurse_runs_a_whole_chair_session_on_a_tablet(
    browser, live_server, password, appointment, verified_order, nurse, settings
):
    ensure_drawn(verified_order, by=nurse)
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 24 * 3600  # the clock moves 72 min forward
    context, page = log_in(browser, live_server, nurse, password, TABLET)
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.goto(f"{live_server.url}/infusions/nurse/")
    page.get_by_role("link", name="Chair screen").click()
    page.get_by_label("Escort is here").check()  # name and phone come prefilled
    page.get_by_label("Today's weight").fill("70")
    page.get_by_label("kg", exact=True).check()  # no unit is chosen for her
    page.get_by_label("Pain 2", exact=True).check()
    page.get_by_role("button", name="Check in and open the chart").click()
    status_is(page, "Checked in")
    # A locator wait, not wait_for_function: the page's CSP forbids evaluating a string.
    expect(page.locator(".due .countdown")).not_to_have_text("")
    assert "OVERDUE" not in page.locator(".due").inner_text()  # not "0 s late" at check-in

    enter_vitals(page, 120, 78, 72, 98)  # baseline
    status_is(page, "Pre-assessment")
    page.get_by_role("button", name="Start infusion").click()
    status_is(page, "Running")
    assert page.locator(".timer").inner_text() != "–"

    enter_vitals(page, 126, 80, 76, 97)
    assert page.locator("polyline.line-systolic").count() == 1
    assert "Next vitals due" in page.locator(".due").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    screenshot(page, "chair-screen-mid-infusion-tablet")

    enter_vitals(page, 186, 90, 80, 97)  # above the protocol's systolic 180
    page.get_by_role("heading", name="1 value out of range").wait_for()
    assert "Systolic 186 > 180" in page.locator(".alert-box").inner_text()
    screenshot(page, "chair-screen-alert-tablet")
    page.get_by_label("Paused the infusion").check()
    page.get_by_role("button", name="Acknowledge alert").click()
    status_is(page, "Paused")
    page.get_by_role("button", name="Resume").click()
    status_is(page, "Running")

    advance(41)  # the planned 40 min run (tests.chair_clock)
    page.reload()
    page.get_by_role("button", name="Complete infusion").click()
    status_is(page, "Completed")
    enter_vitals(page, 118, 76, 70, 98)  # end of infusion
    page.get_by_role("button", name="Begin recovery").click()
    status_is(page, "Recovery")
    advance(31)  # the minimum 30 min recovery, then a recovery reading
    enter_vitals(page, 119, 77, 71, 98)

    fill_discharge(page)
    page.get_by_role("button", name="Discharge").click()
    status_is(page, "Discharged")
    assert page.get_by_text("Discharged").first.is_visible()
    screenshot(page, "chair-screen-discharged-tablet")
    context.close()

    record = InfusionRecord.objects.get(appointment=appointment)
    appointment.refresh_from_db()
    assert record.status == InfusionStatus.DISCHARGED
    assert appointment.status == AppointmentStatus.COMPLETED
    assert record.vitals.count() == 5 and record.discharges.get().escort_name == "Pat Lee"
    assert record.escort_entries.get().status == "present"
    assert not [p for p in problems if "Content Security Policy" in p], problems


def test_a_nurse_logged_out_mid_entry_comes_back_to_her_typed_vitals(
    browser, live_server, password, appointment, nurse
):
    """Idle logout between typing and saving: the save goes to login (htmx HX-Redirect with
    next=<chair screen>), and after logging in again the typed values are back, unsaved."""
    import time
    from importlib import import_module

    from django.conf import settings

    from clinic.sessions import LAST_SEEN
    from infusions.models import VitalsReading
    from infusions.services import infusion_check_in

    record = infusion_check_in(appointment=appointment, by=nurse)
    context, page = log_in(browser, live_server, nurse, password, TABLET)
    chair = f"{live_server.url}/infusions/appointments/{appointment.pk}/chair/"
    page.goto(chair)
    typed = {"Systolic": "124", "Diastolic": "79", "Pulse": "71", "SpO2 %": "97"}
    for name, value in typed.items():
        page.get_by_role("textbox", name=name, exact=True).fill(value)

    # The tablet sat idle past the timeout: move the session's idle clock back.
    cookie = next(c for c in context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=cookie["value"])
    session[LAST_SEEN] = time.time() - settings.SESSION_IDLE_TIMEOUT_SECONDS - 60
    session.save()
    page.get_by_role("button", name="Save vitals").click()
    page.wait_for_url("**/accounts/login/**")
    assert "next=" in page.url and f"/appointments/{appointment.pk}/chair/" in page.url
    stored = page.evaluate("JSON.stringify(window.sessionStorage)")
    assert "124" in stored and f"record-{record.pk}-user-{nurse.pk}" in stored
    patient = appointment.patient
    assert patient.legal_last_name not in stored and patient.legal_first_name not in stored
    assert patient.mrn not in stored
    assert not VitalsReading.objects.filter(record=record).exists()

    page.get_by_label("Username").fill(nurse.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(chair)
    for name, value in typed.items():
        assert page.get_by_role("textbox", name=name, exact=True).input_value() == value
    assert "not saved yet" in page.locator(".vitals-form .draft-note").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    screenshot(page, "chair-screen-draft-restored-tablet")

    page.get_by_role("button", name="Save vitals").click()
    page.get_by_role("cell", name="124/79", exact=True).wait_for()
    assert VitalsReading.objects.get(record=record).systolic_mmhg == 124
    assert "chair-draft:" not in page.evaluate("JSON.stringify(window.sessionStorage)")
    page.reload()
    assert page.get_by_role("textbox", name="Systolic", exact=True).input_value() == ""
    context.close()


def test_the_next_morning_a_nurse_finds_yesterdays_chart_left_open(
    browser, live_server, password, running, nurse
):
    """An infusion nobody completed yesterday is off today's board: the nurse home on the
    tablet lists it under "Charts left open from an earlier day", linked to its chair."""
    advance(26 * 60)
    context, page = log_in(browser, live_server, nurse, password, TABLET)
    page.goto(f"{live_server.url}/infusions/nurse/")
    expect(page.locator('[data-key="charts_left_open"] .work-count')).to_have_text("1")
    left = page.locator("section", has=page.locator("#left-open"))
    expect(left).to_contain_text(running.appointment.patient.display_name)
    expect(left).to_contain_text("Running")
    screenshot(page, "nurse-home-chart-left-open")
    left.get_by_role("link", name="Chair screen").click()
    status_is(page, "Running")
    assert f"/appointments/{running.appointment_id}/chair/" in page.url
    # Closed with the time the infusion really ended (the pump's log), not this morning's.
    ended = running.started_at + datetime.timedelta(minutes=41)
    complete = page.locator('form[data-draft="complete"]')
    expect(complete.locator("details.late-entry")).to_have_attribute("open", "")
    complete.locator('input[name="at"]').fill(
        running.appointment.location.local(ended).strftime("%Y-%m-%dT%H:%M")
    )
    complete.locator('input[name="late_reason"]').fill("Chart left open; end time from the pump")
    screenshot(page, "chair-late-entry-complete")
    complete.get_by_role("button", name="Complete infusion").click()
    status_is(page, "Completed")
    running.refresh_from_db()
    assert running.ended_at == ended.replace(second=0, microsecond=0)
    page.locator("details.status-history summary").click()
    expect(page.locator("details.status-history")).to_contain_text("late entry")
    context.close()


def test_a_patient_whose_blood_pressure_is_too_high_is_sent_home_not_given(
    browser, live_server, password, record, verified_order, nurse
):
    """Baseline 184/108 at the pre-assessment: the nurse does not start; on the tablet she
    charts "Not given" with why, and the chart closes, the visit cancelled."""
    from infusions.services import vitals_record

    vitals_record(record=record, taken_by=nurse, systolic_mmhg=184, diastolic_mmhg=108,
                  pulse_bpm=88, spo2_percent=98)  # fmt: skip
    context, page = log_in(browser, live_server, nurse, password, TABLET)
    page.goto(f"{live_server.url}/infusions/appointments/{record.appointment_id}/chair/")
    status_is(page, "Pre-assessment")
    alert = page.locator(".alert-box")
    expect(alert).to_contain_text("Do not start: reassess")
    expect(alert.get_by_label("Paused the infusion")).to_have_count(0)  # nothing to pause
    alert.get_by_label("Held: did not start the infusion").check()
    alert.get_by_label("Note").fill("Rechecked after 5 min: 180/106")
    alert.get_by_role("button", name="Acknowledge alert").click()
    expect(page.locator(".alert-box")).to_have_count(0)
    page.get_by_text("Not giving the infusion today?").click()
    form = page.locator('form[data-draft="not-given"]')
    form.get_by_label("Why it is not given").fill("BP 184/108 twice, above the limit; Dr. told")
    screenshot(page, "chair-not-given-tablet")
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    form.get_by_role("button", name="Not given today").click()
    status_is(page, "Not given")
    expect(page.locator("#not-given-summary")).to_contain_text("BP 184/108 twice")
    expect(page.get_by_role("button", name="Save vitals")).to_have_count(0)
    expect(page.get_by_role("button", name="Start infusion")).to_have_count(0)
    assert "cannot be undone" in dialogs[0]  # final: asked once more, with the name
    screenshot(page, "chair-not-given-closed-tablet")
    record.refresh_from_db()
    record.appointment.refresh_from_db()
    assert record.status == InfusionStatus.NOT_GIVEN
    assert record.appointment.status == AppointmentStatus.CANCELLED
    context.close()
