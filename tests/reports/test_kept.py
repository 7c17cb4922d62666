"""The reports' numbers kept for a few minutes (reports.kept): a second reader costs no report
query and reads the same numbers, every door says when they were computed, and "Recompute
now" (``fresh=1``) reads the data again. The keeping is off in the other tests."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.roles import Role
from reports import kept
from reports.selectors import REPORTS
from tests.factories import UserFactory

from .world import MONDAY, SUNDAY, at, lead

WEEK = {"start": MONDAY.isoformat(), "end": SUNDAY.isoformat()}


@pytest.fixture
def keeping(settings):
    settings.REPORTS_CACHE_SECONDS = 300


@pytest.fixture
def admin(world):
    return UserFactory(username="kept-admin", role=Role.CLINIC_ADMIN, locations=[world.irvine])


def _add_a_lead(world):
    """A request that has not reached an infusion: the week's conversion falls."""
    lead(world.irvine, "phone", at(MONDAY + datetime.timedelta(days=1), 10))


def _leads(scope, **kwargs):
    return kept.report("leads", scope, **kwargs).headline_value("conversion_percent")


def test_a_kept_report_is_read_back_until_recomputed(world, week, keeping):
    before = _leads(week, fresh=True)  # computed now and kept, whatever an older run kept
    _add_a_lead(world)
    assert _leads(week) == before
    now = _leads(week, fresh=True)
    assert now < before
    assert _leads(week) == now


def test_other_sites_or_days_are_kept_apart(world, week, keeping):
    from reports.scope import Scope

    kept.reports(week, fresh=True)
    other = Scope(MONDAY, SUNDAY - datetime.timedelta(days=1), week.sites)
    one_site = Scope(MONDAY, SUNDAY, (world.irvine,))
    keys = {kept._key(name, scope) for name in REPORTS for scope in (week, other, one_site)}
    assert len(keys) == 3 * len(REPORTS)


def test_every_report_can_be_kept_and_read_back_whole(world, week, keeping):
    computed = kept.reports(week, fresh=True)
    read_back = kept.reports(week)
    assert [r.as_of for r in read_back] == [r.as_of for r in computed]
    for a, b in zip(computed, read_back, strict=True):
        assert (a.headline, a.tables, a.charts) == (b.headline, b.tables, b.charts)


def test_the_second_dashboard_runs_no_report_query_and_says_when(world, admin, login, keeping):
    client = login(admin)
    url = reverse("reports:dashboard")
    client.get(url, WEEK | {"fresh": "1"})
    with CaptureQueriesContext(connection) as first:
        page = client.get(url, WEEK)
    body = page.content.decode()
    assert "Figures as of" in body and "kept for 5 minutes" in body
    assert "fresh=1" in body  # the "Recompute now" link
    # The request's own (session, user, device, roles, sites): no report's SQL.
    assert not [q for q in first.captured_queries if q["sql"].lstrip().startswith("WITH")]
    assert len(first) <= 7
    with CaptureQueriesContext(connection) as recomputed:
        client.get(url, WEEK | {"fresh": "1"})
    assert len(recomputed) > len(first) + len(REPORTS)


def test_the_api_says_when_and_recomputes_on_fresh(world, admin, login, keeping):
    client = login(admin)
    one = client.get(reverse("report-leads"), WEEK | {"fresh": "1"}).json()
    _add_a_lead(world)
    again = client.get(reverse("report-leads"), WEEK).json()
    assert again["as_of"] == one["as_of"] and again["headline"] == one["headline"]
    fresh = client.get(reverse("report-leads"), WEEK | {"fresh": "1"}).json()
    assert fresh["as_of"] > one["as_of"]
    assert fresh["headline"]["conversion_percent"] < one["headline"]["conversion_percent"]
    dashboard = client.get(reverse("report-dashboard"), WEEK).json()
    assert dashboard["as_of"] <= fresh["as_of"]


def test_the_page_its_csv_and_json_read_the_same_kept_numbers(world, admin, login, keeping):
    client = login(admin)
    csv_url = reverse("reports:leads_csv")
    page = client.get(reverse("reports:leads"), WEEK | {"fresh": "1"}).content.decode()
    before = client.get(csv_url, WEEK).content
    _add_a_lead(world)
    assert client.get(csv_url, WEEK).content == before
    as_of = client.get(reverse("report-leads"), WEEK).json()["as_of"]
    shown = re.search(r'data-as-of="([^"]+)"', page).group(1)
    assert datetime.datetime.fromisoformat(shown) == datetime.datetime.fromisoformat(as_of)
    assert client.get(csv_url, WEEK | {"fresh": "1"}).content != before


def test_with_redis_down_the_reports_are_computed_not_refused(
    world, admin, login, keeping, monkeypatch, caplog
):
    from redis.exceptions import ConnectionError as RedisDown

    def down(*args, **kwargs):
        raise RedisDown("Connection refused")

    monkeypatch.setattr(kept.cache, "get_many", down)
    monkeypatch.setattr(kept.cache, "set_many", down)
    client = login(admin)
    page = client.get(reverse("reports:dashboard"), WEEK)
    assert page.status_code == 200 and "Figures as of" in page.content.decode()
    assert client.get(reverse("report-leads"), WEEK | {"fresh": "1"}).status_code == 200
    said = [r.getMessage() for r in caplog.records if r.name == "reports.kept"]
    assert any("Redis unavailable" in line for line in said)
