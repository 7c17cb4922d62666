"""Each role's home opens with the work waiting, as counts that link to where the work is
done; the same counts answer GET /api/v1/work-waiting/. On the demo clinic at 4 pm on a
weekday (time machine), every count the README promises is there, in a bounded number of
queries that more work does not raise."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from clinic.models import Location, User
from infusions.selectors.homes import work_waiting_for
from patients.models import ConsultationRequest

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
FOUR_PM = datetime.datetime(2026, 12, 2, 16, 0, tzinfo=LA)
HOMES = {
    "frontdesk": ("scheduling:board", {"requests_not_contacted", "failed_reminders"}),
    "nurse": ("infusions:nurse_home", {"open_alerts"}),
    "physician": ("infusions:physician_home", {"unsigned_orders", "open_alerts",
                                                "flagged_patients"}),
    "admin": ("scheduling:admin_home", {"requests_not_contacted", "failed_reminders"}),
}  # fmt: skip


@pytest.fixture
def demo(db, settings):
    settings.DEV = True
    with time_machine.travel(FOUR_PM, tick=False):
        with open("/dev/null", "w") as out:
            call_command("seed_demo", stdout=out)
        yield


def counts(items) -> dict[str, int]:
    return {item.key: item.count for item in items}


@pytest.mark.parametrize("username", sorted(HOMES))
def test_each_roles_home_shows_its_work_waiting_in_bounded_queries(
    demo, login, username, django_assert_max_num_queries
):
    user = User.objects.get(username=username)
    url, busy = HOMES[username]
    client = login(user)
    with django_assert_max_num_queries(60) as first:
        page = client.get(reverse(url)).content.decode()
    assert 'class="work-waiting"' in page
    role, items = work_waiting_for(user)
    found = counts(items)
    assert all(found[key] > 0 for key in busy), found
    # The demo closes every chart it starts on an earlier day (none left open).
    assert found.get("charts_left_open", 0) == 0, found
    for item in items:
        assert f'data-key="{item.key}"' in page and item.url.split("#")[0] in page
    # More work of the same kinds: the same number of queries.
    site = Location.objects.get(code="costa-mesa")
    for n in range(3):
        ConsultationRequest.objects.create(
            name=f"Caller {n}", phone="+19495550111", preferred_location=site
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse(url))


def test_the_api_answers_the_callers_counts(demo, login):
    physician = User.objects.get(username="physician")
    body = login(physician).get("/api/v1/work-waiting/").json()
    assert body["role"] == "physician"
    by_key = {item["key"]: item for item in body["items"]}
    assert by_key["unsigned_orders"]["count"] > 0
    assert by_key["unsigned_orders"]["url"] == reverse("infusions:signing_queue")
    desk = login(User.objects.get(username="frontdesk")).get("/api/v1/work-waiting/").json()
    assert desk["role"] == "front_desk"
    assert {item["key"] for item in desk["items"]} == {
        "requests_not_contacted", "requests_overdue", "escorts_tomorrow", "failed_reminders",
        "benefits_checks_due", "estimates_due",  # billing's (scheduling.hooks.desk_work)
        "charges_to_review",  # billing's too (empty on the demo: its visits are charged)
        "chairs_to_fill",  # the waitlist's (scheduling.hooks.desk_work)
    }  # fmt: skip


def test_nothing_waiting_reads_calmly(login, clinic_admin):
    page = login(clinic_admin).get(reverse("scheduling:admin_home")).content.decode()
    assert "Nothing waiting." in page


def test_the_api_needs_a_login(client, db):
    assert client.get("/api/v1/work-waiting/").status_code in (401, 403)
