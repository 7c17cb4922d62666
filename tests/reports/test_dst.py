"""A week across the spring daylight-saving change (Sunday 2026-03-08 in Los Angeles): open
hours and visits keep their wall-clock times, so each day is eight open hours and a 09:00
visit lands in the 09:00 hour of the heat map on both sides of the change."""

import datetime
from decimal import Decimal as D

from reports.scope import Scope
from reports.selectors.utilization import utilization
from scheduling.models import Chair, Course
from tests.factories import LocationFactory, PatientFactory, ProtocolFactory, UserFactory

from .world import at, open_weekdays, visit


def test_a_week_across_the_daylight_saving_change_keeps_wall_clock_hours(db):
    site = LocationFactory(name="Irvine", code="irvine")
    open_weekdays(site, days=range(7))
    chair = Chair.objects.create(location=site, name="Chair 1")
    nurse = UserFactory(role="nurse", locations=[site])
    course = Course.objects.create(
        patient=PatientFactory(home_location=site), protocol=ProtocolFactory(), location=site,
        planned_infusions=8, booked_by=nurse,
    )  # fmt: skip
    saturday, sunday, monday = (datetime.date(2026, 3, d) for d in (7, 8, 9))
    for day in (saturday, sunday, monday):
        visit(course, chair, nurse, at(day, 9), "completed")

    report = utilization(Scope(datetime.date(2026, 3, 5), datetime.date(2026, 3, 11), (site,)))

    days = {row["day"]: row for row in report.tables[0].rows}
    # The 23-hour Sunday is still 09:00-17:00: 480 open minutes, a 2-hour visit is 25%.
    for day in (saturday, sunday, monday):
        assert days[day]["open_minutes"] == 480, day
        assert days[day]["booked_minutes"] == 120, day
        assert days[day]["booked_percent"] == D("25.0"), day
    hours = {(row["weekday"], row["hour"]): row["booked_minutes"] for row in report.tables[2].rows}
    for weekday in (5, 6, 0):  # Saturday, Sunday, Monday
        assert hours[weekday, 9] == 60 and hours[weekday, 10] == 60, weekday
        assert hours[weekday, 11] == 0 and (weekday, 8) not in hours, weekday
