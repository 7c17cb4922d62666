"""The per-site page: opening hours per weekday, closures (with who added them), holidays."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from scheduling.models import ClosedDay, LocationSchedule, OpeningHours
from tests.helpers import LA

pytestmark = pytest.mark.federal_holidays


@pytest.fixture(autouse=True)
def mid_january_2027():
    with time_machine.travel(datetime.datetime(2027, 1, 10, 12, tzinfo=LA), tick=False):
        yield


def post(client, site, **data):
    return client.post(
        reverse("scheduling:site_change"), {"location": site.pk, **data}, follow=True
    )


def test_the_site_page_sets_hours_and_closes_a_weekday(login, site, clinic_admin):
    client = login(clinic_admin)
    post(client, site, action="hours", weekday=0, opens_at="08:00", closes_at="18:00")
    assert OpeningHours.objects.get(location=site, weekday=0).closes_at == datetime.time(18)
    response = post(client, site, action="hours", weekday=0, opens_at="18:00", closes_at="08:00")
    assert "Opening time must be before closing time" in response.content.decode()
    post(client, site, action="hours", weekday=0, opens_at="", closes_at="")
    assert not OpeningHours.objects.filter(location=site).exists()


def test_the_site_page_lists_federal_holidays_and_adds_and_removes_a_closure(
    login, site, clinic_admin
):
    client = login(clinic_admin)
    page = client.get(reverse("scheduling:site_setup") + f"?location={site.pk}").content.decode()
    assert "Martin Luther King Jr. Day, a US federal holiday" in page
    response = post(client, site, action="close", date="2027-02-03", reason="Staff training")
    closure = ClosedDay.objects.get()
    assert closure.added_by == clinic_admin and closure.reason == "Staff training"
    assert "Staff training" in response.content.decode()
    response = post(client, site, action="close", date="2027-01-02", reason="Too late")
    assert "has already passed" in response.content.decode()
    post(client, site, action="reopen", closure=closure.pk)
    assert not ClosedDay.objects.exists()


def test_a_site_may_open_on_federal_holidays(login, site, clinic_admin):
    client = login(clinic_admin)
    post(client, site, action="holidays")  # the box unticked
    assert not LocationSchedule.for_location(site).follows_federal_holidays
    page = client.get(reverse("scheduling:site_setup") + f"?location={site.pk}").content.decode()
    assert "Martin Luther King" not in page
