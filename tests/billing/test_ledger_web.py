"""The account pages and the ledger API: a payment taken on the page, a negative amount a
field error, a refund above the payment a 400, lists in bounded queries."""

from decimal import Decimal

import pytest
from django.urls import reverse

from billing import services as billing
from billing.models import LedgerEntry


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_the_desk_takes_a_payment_on_the_page(login, front_desk, patient):
    client = login(front_desk)
    url = reverse("billing:ledger_new", args=[patient.pk, "payment"])
    site = patient.home_location_id
    refused = client.post(url, {"location": site, "amount_usd": "-5", "method": "cash"})
    assert "amount_usd" in refused.context["form"].errors and not LedgerEntry.objects.exists()
    taken = client.post(url, {"location": site, "amount_usd": "75.00", "method": "card_terminal",
                              "reference": "TRM-77"})  # fmt: skip
    assert taken.status_code == 302
    page = client.get(reverse("billing:ledger", args=[patient.pk]))
    assert b"TRM-77" in page.content and page.context["balance"] == Decimal("-75.00")


def test_the_ledger_page_in_a_bounded_number_of_queries(
    login, front_desk, patient, django_assert_max_num_queries
):
    for n in range(5):
        billing.ledger_payment(patient=patient, by=front_desk, amount_usd=Decimal(n + 1),
                               method="cash")  # fmt: skip
    client = login(front_desk)
    with django_assert_max_num_queries(12):
        client.get(reverse("billing:ledger", args=[patient.pk]))
    with django_assert_max_num_queries(10):
        client.get(f"/api/v1/patients/{patient.pk}/ledger/")


@pytest.mark.parametrize(
    ("body", "field"),
    [({"kind": "payment", "amount_usd": "0", "method": "cash"}, "amount_usd"),
     ({"kind": "payment", "amount_usd": "-3", "method": "cash"}, "amount_usd"),
     ({"kind": "payment", "amount_usd": "3"}, "method"),
     ({"kind": "payment", "amount_usd": "3", "method": "card_terminal"}, "reference"),
     ({"kind": "refund", "amount_usd": "3"}, "kind"),
     ({"kind": "adjustment", "amount_usd": "3", "direction": "credit"}, "reason"),
     ({"kind": "charge"}, "amount_usd")],
)  # fmt: skip
def test_a_bad_entry_is_a_400_naming_the_field(login, front_desk, patient, body, field):
    response = post(login(front_desk), f"/api/v1/patients/{patient.pk}/ledger/", body)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not LedgerEntry.objects.exists()


def test_the_api_refunds_no_more_than_was_paid(login, front_desk, patient):
    client = login(front_desk)
    url = f"/api/v1/patients/{patient.pk}/ledger/"
    paid = post(client, url, {"kind": "payment", "amount_usd": "50.00", "method": "cash"}).json()
    assert paid["amount_usd"] == "-50.00"
    too_much = post(client, f"{url}{paid['id']}/refund/", {"amount_usd": "50.01", "reason": "x"})
    assert too_much.status_code == 400 and "amount_usd" in too_much.json()["errors"]
    done = post(client, f"{url}{paid['id']}/refund/", {"amount_usd": "50.00", "reason": "Moved"})
    assert done.status_code == 201
    listed = client.get(url).json()["results"]
    assert [e["balance_after_usd"] for e in listed] == ["-50.00", "0.00"]
    assert client.get("/api/v1/balances/").json()["results"] == []
