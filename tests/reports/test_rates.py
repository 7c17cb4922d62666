"""Every rate of every report on the fixture week (tests/reports/world.py), against numbers
worked out by hand there; an empty range; a site without chairs."""

import datetime
from decimal import Decimal as D

import pytest

from reports.scope import Scope
from reports.selectors import all_reports, attendance, courses, leads, reminders, safety
from reports.selectors.utilization import utilization

from .world import MONDAY, SUNDAY


def table(report, key) -> dict:
    """A table's rows by their first column's value."""
    found = next(t for t in report.tables if t.key == key)
    first = found.columns[0].key
    return {row[first]: row for row in found.rows}


def test_chair_utilization_counts_booked_and_used_chair_minutes_against_open_ones(week):
    report = utilization(week)
    sites = table(report, "by_site")
    # Irvine: 5 days x 8 h x 2 chairs = 4800 open; 6 visits held x 120 = 720 booked (the
    # no-show and the unmarked visit included), 4 came = 480 used.
    irvine = sites["Irvine"]
    assert (irvine["open_minutes"], irvine["booked_minutes"], irvine["used_minutes"]) == (
        4800, 720, 480,
    )  # fmt: skip
    assert (irvine["booked_percent"], irvine["used_percent"]) == (D("15.0"), D("10.0"))
    # San Diego has hours but no chair: nothing open, no rate (not 0%, not a division error).
    san_diego = sites["San Diego"]
    assert san_diego["open_minutes"] == 0
    assert san_diego["booked_percent"] is None
    assert sites["All sites"]["booked_percent"] == D("15.0")
    assert report.headline_value("used_percent") == D("10.0")


def test_utilization_by_day_and_hour_of_week(week):
    report = utilization(week)
    days = table(report, "by_day")
    assert len(days) == 7
    monday, tuesday, friday, saturday = (
        days[MONDAY + datetime.timedelta(days=n)] for n in (0, 1, 4, 5)
    )
    assert (monday["open_minutes"], monday["booked_minutes"], monday["booked_percent"]) == (
        960, 240, D("25.0"),
    )  # fmt: skip
    assert (tuesday["booked_percent"], tuesday["used_percent"]) == (D("12.5"), D("0.0"))
    assert (friday["booked_percent"], friday["used_percent"]) == (D("25.0"), D("12.5"))
    assert saturday["open_minutes"] == 0 and saturday["booked_percent"] is None
    hours = {(r["weekday"], r["hour"]): r for r in report.tables[2].rows}
    # Monday 09:00-10:00: 2 chairs open = 120 minutes, visit 1 holds 60 of them.
    assert (hours[0, 9]["open_minutes"], hours[0, 9]["booked_minutes"]) == (120, 60)
    assert hours[0, 9]["booked_percent"] == D("50.0")
    assert hours[0, 16]["booked_minutes"] == 0 and hours[0, 16]["open_minutes"] == 120
    assert (5, 9) not in hours  # Saturday: closed, nothing booked
    assert (0, 8) not in hours


def test_no_show_and_late_cancellation_rates(week):
    report = attendance(week)
    irvine = table(report, "by_site")["Irvine"]
    # Due: 4 came + 1 no-show + 1 cancelled 2 h before; the one cancelled 3 days ahead freed
    # its chair in time; the unmarked Friday visit is open.
    assert (irvine["due"], irvine["attended"], irvine["no_shows"]) == (6, 4, 1)
    assert (irvine["late_cancellations"], irvine["early_cancellations"], irvine["open"]) == (
        1, 1, 1,
    )  # fmt: skip
    assert irvine["no_show_percent"] == irvine["late_cancellation_percent"] == D("16.7")
    weeks = table(report, "by_week")
    assert list(weeks) == [MONDAY]
    assert weeks[MONDAY]["no_show_percent"] == D("16.7")


def test_reminder_delivery_and_escort_confirmation(week):
    report = reminders(week)
    total = table(report, "messages_by_site")["All sites"]
    # Sent 2, failed 1 (66.7%); the skipped email was never tried; the cancelled sms is out.
    assert (total["sent"], total["failed"], total["skipped"]) == (2, 1, 1)
    assert total["delivery_percent"] == D("66.7")
    channels = table(report, "messages_by_channel")
    assert channels["sms"]["delivery_percent"] == D("50.0")
    assert channels["email"]["delivery_percent"] == D("100.0")
    escorts = table(report, "escorts_by_site")["Irvine"]
    assert (escorts["visits"], escorts["confirmed"], escorts["by_phone"]) == (6, 3, 1)
    assert escorts["confirmed_percent"] == D("50.0")


def test_alerts_and_side_effects_per_100_infusions(week):
    report = safety(week)
    total = table(report, "by_site")["All sites"]
    # 4 infusions started in the week; 3 alerts; 2 side effects (a third struck through by
    # a correction), 1 severe. The alert of the infusion a week later is out.
    assert (total["infusions"], total["alerts"], total["side_effects"], total["severe"]) == (
        4, 3, 2, 1,
    )  # fmt: skip
    assert total["alerts_per_100"] == D("75.0")
    assert total["side_effects_per_100"] == D("50.0")
    assert total["severe_per_100"] == D("25.0")
    kinds = table(report, "by_side_effect")
    assert set(kinds) == {"Nausea", "Dissociation"}
    assert kinds["Dissociation"]["side_effects_per_100"] == D("25.0")


def test_courses_completed_abandoned_and_infusions_per_course(week):
    report = courses(week)
    alpha = table(report, "courses_by_protocol")["Alpha 0.5 mg/kg"]
    assert (alpha["booked"], alpha["completed"], alpha["abandoned"]) == (3, 2, 1)
    assert alpha["completion_percent"] == D("66.7")
    # Completed courses: 2 and 1 infusions (1.5); the abandoned one had 1.
    assert alpha["infusions_per_completed"] == D("1.5")
    assert alpha["infusions_per_abandoned"] == D("1.0")
    beta = table(report, "courses_by_protocol")["Beta 1 mg/kg"]
    assert (beta["running"], beta["completion_percent"]) == (1, None)
    assert report.headline_value("completion_percent") == D("66.7")


def test_responder_rate_per_protocol_uses_valid_pain_scores(week):
    report = courses(week)
    alpha = table(report, "responders_by_protocol")["Alpha 0.5 mg/kg"]
    # 8 -> 5 (37.5% less: a responder); 6 -> 5 (the 2 was corrected to 5: 16.7% less).
    assert (alpha["completed"], alpha["scored"], alpha["responders"]) == (2, 2, 1)
    assert alpha["responder_percent"] == D("50.0")
    assert alpha["mean_reduction_percent"] == D("27.1")


def test_lead_conversion_by_source_and_days_to_first_infusion(week):
    report = leads(week)
    sources = table(report, "by_source")
    assert list(sources) == ["Phone call", "Referral", "Website form", "All sources"]
    website = sources["Website form"]
    assert (website["requests"], website["registered"], website["first_infusion"]) == (2, 1, 1)
    assert website["conversion_percent"] == D("50.0")
    assert website["median_days_to_first_infusion"] == D("0.4")  # 9 hours
    assert sources["Phone call"]["median_days_to_first_infusion"] == D("10.0")
    # The referral's patient had their infusion before the request: no first infusion after.
    assert sources["Referral"]["first_infusion"] == 0
    assert sources["Referral"]["median_days_to_first_infusion"] is None
    total = sources["All sources"]
    assert (total["registered_percent"], total["conversion_percent"]) == (D("75.0"), D("50.0"))
    assert total["median_days_to_first_infusion"] == D("5.2")  # median of 0.375 and 10


def test_waitlist_fills(week):
    waitlist = table(leads(week), "waitlist_by_site")["Irvine"]
    assert (waitlist["added"], waitlist["filled"], waitlist["withdrawn"]) == (2, 2, 1)
    assert waitlist["median_days_to_fill"] == D("9.0")  # 3 and 15 days


def test_an_empty_range_has_counts_of_zero_and_no_rates(world):
    empty = Scope(datetime.date(2025, 6, 2), datetime.date(2025, 6, 8), (world.irvine,))
    reports = {report.name: report for report in all_reports(empty)}
    # The chairs were open and nobody was booked: 0% booked, the one rate with a whole.
    chairs = reports.pop("utilization")
    assert chairs.headline_value("open_minutes") == 4800
    assert chairs.headline_value("booked_percent") == D("0.0")
    for report in reports.values():
        for item in report.headline:
            assert item.value in (None, 0), (report.name, item.key, item.value)


def test_no_site_at_all_answers_empty_reports(db):
    nothing = Scope(MONDAY, SUNDAY, ())
    for report in all_reports(nothing):
        assert all(item.value in (None, 0) for item in report.headline)


@pytest.mark.parametrize("days", [1, 7])
def test_a_single_day_range_is_inclusive(world, days):
    scope = Scope(MONDAY, MONDAY + datetime.timedelta(days=days - 1), (world.irvine,))
    booked = table(utilization(scope), "by_site")["Irvine"]["booked_minutes"]
    assert booked == (240 if days == 1 else 720)


@pytest.mark.federal_holidays
def test_federal_holidays_and_closed_days_are_not_open(world):
    from scheduling.models import ClosedDay

    # Presidents' Day, Monday 2026-02-16; and the site closes on the Friday.
    ClosedDay.objects.create(location=world.irvine, date=datetime.date(2026, 2, 20), reason="Move")
    scope = Scope(datetime.date(2026, 2, 16), datetime.date(2026, 2, 22), (world.irvine,))
    # Open Tuesday to Thursday: 3 days x 480 x 2 chairs.
    assert table(utilization(scope), "by_site")["Irvine"]["open_minutes"] == 2880


def test_a_patient_sent_home_not_given_came_and_is_no_late_cancellation(record, nurse, site):
    """Checked in, blood pressure too high, charted not given: the visit is cancelled at its
    time, yet the patient came; counting it as a late cancellation would blame them."""
    from infusions.services import infusion_not_given

    infusion_not_given(record=record, by=nurse, reason="BP 182/106 at the pre-assessment")
    today = site.today()
    row = table(attendance(Scope(today, today, (site,))), "by_site")[site.name]
    assert (row["attended"], row["not_given"], row["late_cancellations"]) == (1, 1, 0)
    assert (row["due"], row["early_cancellations"]) == (1, 0)
