"""The report pages, CSV downloads and JSON: who sees which sites, the three doors agree,
bad filters are refused with the field named, and the query count does not grow with the
data."""

import csv
import datetime
import io
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.roles import Role
from patients.models import ConsultationRequest
from reports.results import shown
from reports.selectors import REPORTS
from scheduling.models import Chair
from tests.factories import PatientFactory, UserFactory

from .world import MONDAY, SUNDAY, at, course, visit

WEEK = {"start": MONDAY.isoformat(), "end": SUNDAY.isoformat()}


class Tables(HTMLParser):
    """The cells of each ``table[data-table]`` of a page, by its key."""

    def __init__(self):
        super().__init__()
        self.tables, self.current, self.row, self.cell = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-table" in attrs:
            self.current = self.tables.setdefault(attrs["data-table"], [])
        elif tag == "tr" and self.current is not None:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.current.append(self.row)
            self.row = None
        elif tag == "table":
            self.current = None


def page_tables(response) -> dict:
    parser = Tables()
    parser.feed(response.content.decode())
    return parser.tables


def csv_sections(response) -> dict:
    """The CSV's sections by table title: header and rows."""
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    sections, index = {}, 1
    while index < len(rows):
        if rows[index] == []:
            title, index = rows[index + 1][0], index + 2
            start = index
            while index < len(rows) and rows[index] != []:
                index += 1
            sections[title] = rows[start:index]
        else:
            index += 1
    return sections


@pytest.fixture
def admin(world):
    return UserFactory(username="world-admin", role=Role.CLINIC_ADMIN, locations=[world.irvine])


@pytest.mark.parametrize("name", list(REPORTS))
def test_the_page_the_csv_and_the_json_show_the_same_numbers(world, admin, login, name):
    client = login(admin)
    query = {**WEEK, "site": [world.irvine.pk, world.san_diego.pk]}
    page = client.get(reverse(f"reports:{name}"), query)
    data = client.get(reverse(f"report-{name}"), query).json()
    download = client.get(reverse(f"reports:{name}_csv"), query)
    assert page.status_code == download.status_code == 200
    assert download["Content-Type"] == "text/csv"
    html, sections = page_tables(page), csv_sections(download)
    report = REPORTS[name](_scope(world))
    assert data["headline"].keys() == {item.key for item in report.headline}
    for table in report.tables:
        header, *rows = html[table.key]
        assert header == [column.label for column in table.columns]
        json_rows = data["tables"][table.key]
        csv_header, *csv_rows = sections[table.title]
        assert csv_header == [column.csv_label for column in table.columns]
        if not json_rows:
            assert rows == [["Nothing in this range."]] and csv_rows == []
            continue
        assert len(rows) == len(json_rows) == len(csv_rows) > 0
        for cells, json_row, csv_row in zip(rows, json_rows, csv_rows, strict=True):
            values = [json_row[column.key] for column in table.columns]
            assert cells == [shown(v, c.kind) for v, c in zip(values, table.columns, strict=True)]
            assert csv_row == ["" if v is None else str(v) for v in values]


def _scope(world):
    from reports.scope import Scope

    return Scope(MONDAY, SUNDAY, (world.irvine, world.san_diego))


def test_the_front_desk_sees_its_own_site_and_is_refused_another(world, login):
    client = login(world.desk)
    page = client.get(reverse("reports:utilization"), WEEK)
    assert page.status_code == 200
    assert [s.name for s in page.context["scope"].sites] == ["Irvine"]
    assert "San Diego" not in page.content.decode()
    refused = client.get(reverse("reports:utilization"), {**WEEK, "site": world.san_diego.pk})
    assert refused.status_code == 400
    assert "is not one of your sites" in refused.content.decode()
    assert "report" not in refused.context
    api = client.get(reverse("report-utilization"), {**WEEK, "site": world.san_diego.pk})
    assert api.status_code == 400
    assert "is not one of your sites" in api.json()["errors"]["site"][0]
    csv_refused = client.get(reverse("reports:utilization_csv"), {"site": world.san_diego.pk})
    assert csv_refused.status_code == 400


def test_clinic_admins_see_every_site_and_physicians_their_own(world, login):
    admin = UserFactory(role=Role.CLINIC_ADMIN, locations=[world.irvine])
    both = UserFactory(role=Role.PHYSICIAN, locations=[world.irvine, world.san_diego])
    one = UserFactory(role=Role.PHYSICIAN, locations=[world.san_diego])
    for user, sites in ((admin, 2), (both, 2), (one, 1)):
        data = login(user).get(reverse("report-dashboard"), WEEK).json()
        assert len(data["sites"]) == sites, user
    # The physician of San Diego alone sees none of Irvine's visits.
    data = login(one).get(reverse("report-attendance"), WEEK).json()
    assert data["headline"]["due"] == 0


def test_nurses_have_no_reports(world, login):
    nurse = UserFactory(role=Role.NURSE, locations=[world.irvine])
    client = login(nurse)
    assert client.get(reverse("reports:dashboard")).status_code == 403
    assert client.get(reverse("report-dashboard")).status_code == 403


@pytest.mark.parametrize(
    "query, field",
    [
        ({"start": "2026-02-08", "end": "2026-02-01"}, "end"),
        ({"start": "2024-01-01", "end": "2026-02-01"}, "end"),
        ({"start": "yesterday"}, "start"),
        ({"site": "x"}, "site"),
    ],
)
def test_bad_filters_are_a_400_naming_the_field(world, login, query, field):
    client = login(world.desk)
    assert client.get(reverse("reports:attendance"), query).status_code == 400
    answer = client.get(reverse("report-attendance"), query)
    assert answer.status_code == 400
    assert list(answer.json()["errors"]) == [field]


def test_the_dashboard_links_every_report_with_its_headline(world, admin, login):
    page = login(admin).get(reverse("reports:dashboard"), WEEK)
    body = page.content.decode()
    for name in REPORTS:
        assert reverse(f"reports:{name}") in body
    assert 'data-key="booked_percent"><span class="headline-value">15.0%' in body
    assert 'data-key="no_show_percent"><span class="headline-value">16.7%' in body


def _more_data(world):
    """Three times the visits and more leads than the fixture week, in three more chairs."""
    chairs = [Chair.objects.create(location=world.irvine, name=f"Extra {n}") for n in range(3)]
    first = world.appointments[1]
    for number, chair in enumerate(chairs):
        patient = PatientFactory(home_location=world.irvine)
        booked = course(patient, first.course.protocol, world.irvine, "completed", world.desk)
        for offset in range(5):
            day = MONDAY + datetime.timedelta(days=offset)
            visit(booked, chair, first.nurse, at(day, 9 + 2 * number), "completed")
    for _ in range(10):
        ConsultationRequest.objects.create(
            name="Another caller", phone="+19495550101", preferred_location=world.irvine,
            source="phone",
        )  # fmt: skip


def _query_counts(client) -> dict:
    urls = [reverse("reports:dashboard"), reverse("report-dashboard")]
    urls += [reverse(f"reports:{name}") for name in REPORTS]
    urls += [reverse(f"report-{name}") for name in REPORTS]
    client.get(urls[0], WEEK)  # the session's first save is not the page's
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, WEEK).status_code == 200
        counts[url] = len(queries)
    return counts


def test_report_pages_cost_the_same_queries_whatever_the_data(
    world, admin, login, django_assert_max_num_queries
):
    client = login(admin)
    small = _query_counts(client)
    _more_data(world)
    assert _query_counts(client) == small
    # The dashboard runs every report: session, user, device, roles, sites and the 14
    # queries of the nine reports (and one to spare).
    with django_assert_max_num_queries(20):
        client.get(reverse("reports:dashboard"), WEEK)
