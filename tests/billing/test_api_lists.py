"""The billing lists of the API sort (``?ordering=``, both ways) and filter; a bad value is
a 400 naming the parameter."""

import datetime
from decimal import Decimal

from billing.services import cards, closing, packages
from infusions.services import infusion_complete
from tests.chair_clock import advance

D = Decimal
ZERO = {"cash": D("0"), "check": D("0"), "card": D("0"), "hsa": D("0")}


def _ids(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_daily_closes_sort_and_filter_by_site_and_day(login, site, front_desk):
    today = site.today()
    older = closing.day_close(location=site, day=today - datetime.timedelta(days=2),
                              by=front_desk, counted_usd=ZERO)  # fmt: skip
    newer = closing.day_close(location=site, day=today, by=front_desk, counted_usd=ZERO)
    client = login(front_desk)
    assert _ids(client, "/api/v1/daily-closes/") == [newer.pk, older.pk]
    assert _ids(client, "/api/v1/daily-closes/?ordering=day") == [older.pk, newer.pk]
    assert _ids(client, "/api/v1/daily-closes/?ordering=-day") == [newer.pk, older.pk]
    assert _ids(client, f"/api/v1/daily-closes/?day={today}") == [newer.pk]
    assert _ids(client, f"/api/v1/daily-closes/?site={site.pk}&day_to={older.day}") == [older.pk]
    assert _ids(client, "/api/v1/daily-closes/?site=999999") == []
    for bad in ("site=x", "day=12/31/2026", "ordering=counted_cash_usd"):
        response = client.get(f"/api/v1/daily-closes/?{bad}")
        assert response.status_code == 400
        assert bad.split("=")[0] in response.json()["errors"]


def test_card_payments_and_packages_sort_both_ways(login, patient, front_desk, prices):
    small = cards.card_payment_start(patient=patient, by=front_desk, amount_usd=D("20.00"),
                                     idempotency_key="k-1")  # fmt: skip
    large = cards.card_payment_start(patient=patient, by=front_desk, amount_usd=D("90.00"),
                                     idempotency_key="k-2")  # fmt: skip
    eight = packages.package_sell(patient=patient, by=front_desk, infusions=8)
    six = packages.package_sell(patient=patient, by=front_desk, infusions=6)
    client = login(front_desk)
    url = f"/api/v1/patients/{patient.pk}/card-payments/?ordering="
    assert _ids(client, url + "amount_usd") == [small.pk, large.pk]
    assert _ids(client, url + "-amount_usd") == [large.pk, small.pk]
    assert _ids(client, url + "created_at") == [small.pk, large.pk]
    url = f"/api/v1/patients/{patient.pk}/packages/?ordering="
    assert _ids(client, url + "infusions") == [six.pk, eight.pk]
    assert _ids(client, url + "-sold_at") == [six.pk, eight.pk]
    assert client.get(url + "price_usd").status_code == 400


def test_charges_to_review_sort_and_filter_by_site(login, running, nurse, front_desk, site):
    advance(41)
    infusion_complete(record=running, by=nurse, administered_mg=D("34.9"))  # no prices: review
    client = login(front_desk)
    rows = _ids(client, "/api/v1/charges-to-review/?ordering=-appointment__starts_at")
    assert len(rows) == 1
    assert _ids(client, f"/api/v1/charges-to-review/?site={site.pk}&ordering=created_at") == rows
    assert _ids(client, "/api/v1/charges-to-review/?site=999999") == []
    assert client.get("/api/v1/charges-to-review/?site=x").status_code == 400


def test_consultations_sort_by_start(login, front_desk):
    client = login(front_desk)
    assert client.get("/api/v1/consultations/?ordering=-starts_at").status_code == 200
    assert client.get("/api/v1/consultations/?ordering=request__status").status_code == 400
