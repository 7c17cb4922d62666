"""Revenue per site and day and outstanding balances by age, on a hand-computed ledger:
each entry on its site's calendar day (a payment at 11:30 pm in Irvine is that day's, though
UTC has moved on), balances aged by the charges still unpaid (payments settle the oldest
first). One query each, whatever the data; page, CSV and JSON alike."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from billing import services as billing
from reports.scope import Scope
from reports.selectors import REPORTS
from tests.factories import PatientFactory

D = Decimal


def _at(site, day, hour, minute=0):
    return time_machine.travel(site.at(day, datetime.time(hour, minute)), tick=False)


@pytest.fixture
def ledger(site, patient, front_desk):
    """Patient A (the revenue days) and patient B (older charges, for the aging)."""
    d1, d2 = datetime.date(2026, 9, 1), datetime.date(2026, 9, 2)
    with _at(site, d1, 10):
        billing.ledger_charge(patient=patient, by=front_desk, amount_usd=D("550.00"),
                              description="Infusion")  # fmt: skip
    with _at(site, d1, 11):
        billing.ledger_payment(patient=patient, by=front_desk, amount_usd=D("200.00"),
                               method="cash")  # fmt: skip
    with _at(site, d1, 23, 30):  # 06:30 UTC on September 2nd: still the 1st in Irvine
        card = billing.ledger_payment(patient=patient, by=front_desk, amount_usd=D("300.00"),
                                      method="card_terminal", reference="T-9")  # fmt: skip
    with _at(site, d2, 9):
        billing.ledger_refund(payment=card, by=front_desk, amount_usd=D("50.00"), reason="Over")
    with _at(site, d2, 10):
        billing.ledger_adjust(patient=patient, by=front_desk, amount_usd=D("25.00"),
                              direction="credit", reason="Courtesy")  # fmt: skip
    other = PatientFactory(home_location=site)
    for day, amount in ((datetime.date(2026, 8, 1), "100.00"), (datetime.date(2026, 10, 1),
                        "200.00"), (datetime.date(2026, 11, 20), "300.00")):  # fmt: skip
        with _at(site, day, 12):
            billing.ledger_charge(patient=other, by=front_desk, amount_usd=D(amount),
                                  description="Infusion")  # fmt: skip
    with _at(site, datetime.date(2026, 11, 25), 12):
        billing.ledger_payment(patient=other, by=front_desk, amount_usd=D("250.00"),
                               method="check", reference="204")  # fmt: skip
    return site


def test_revenue_per_site_and_day(ledger, django_assert_num_queries):
    scope = Scope(datetime.date(2026, 9, 1), datetime.date(2026, 9, 2), (ledger,))
    with django_assert_num_queries(1):
        report = REPORTS["revenue"](scope)
    days = {row["day"]: row for row in report.tables[1].rows}
    first, second = days[datetime.date(2026, 9, 1)], days[datetime.date(2026, 9, 2)]
    assert (first["charges"], first["payments"], first["collected"]) == (550, 500, 500)
    assert (first["cash"], first["card"], first["refunds"]) == (200, 300, 0)
    assert (second["refunds"], second["card"], second["collected"]) == (50, -50, -50)
    assert second["adjustments"] == D("-25.00") and second["charges"] == 0
    assert report.headline_value("charges") == 550
    assert report.headline_value("collected") == 450
    assert report.headline_value("refunds") == 50
    assert not report.charts[0].empty


def test_balances_by_age(ledger, django_assert_num_queries):
    scope = Scope(datetime.date(2026, 9, 1), datetime.date(2026, 12, 15), (ledger,))
    with django_assert_num_queries(1):
        report = REPORTS["balances"](scope)
    # A owes 75 (550 - 500 + 50 - 25), all from September: over 90 days on December 15th.
    # B owes 350 (600 - 250): November's 300 (25 days) and 50 left of October's 200 (75 days).
    total = report.tables[0].rows[-1]
    assert (total["days_0_30"], total["days_31_60"], total["days_61_90"],
            total["days_over_90"]) == (300, 0, 50, 75)  # fmt: skip
    assert (total["owed"], total["patients"]) == (425, 2)


def test_the_money_reports_as_pages_csv_and_json(ledger, clinic_admin, login):
    client = login(clinic_admin)
    query = {"start": "2026-09-01", "end": "2026-09-02", "site": [ledger.pk]}
    page = client.get(reverse("reports:revenue"), query)
    assert page.status_code == 200 and "<svg" in page.content.decode()
    data = client.get(reverse("report-revenue"), query).json()
    assert data["headline"] == {"charges": 550.0, "collected": 450.0, "refunds": 50.0}
    csv = client.get(reverse("reports:balances_csv"), {**query, "end": "2026-12-15"})
    assert csv.status_code == 200 and "425.0" in csv.content.decode()
