"""Prices and estimates on the desk's pages and in the API: 400s name the field and save
nothing, the printable estimate carries the codes, NPI, TIN and dispute notice, the estimates
owed are a task on the desk's home."""

from decimal import Decimal

import pytest
from django.urls import reverse

from billing import services as billing
from billing.models import EstimateDelivery, GoodFaithEstimate, PriceList
from tests.helpers import book_course


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def errors(response, code=400) -> dict:
    assert response.status_code == code, response.content
    return response.json()["errors"]


def test_the_printable_estimate_has_what_the_rule_asks(
    login, front_desk, patient, prices, site_billing
):
    estimate = billing.estimate_issue(patient=patient, by=front_desk, infusions=6)
    page = login(front_desk).get(reverse("billing:estimate", args=[estimate.pk])).content.decode()
    for text in ("Good Faith Estimate", patient.legal_name, "NPI 1234567893", "TIN 12-3456789",
                 "96365, J3490", "$3000.00", "$3400.00", "patient-provider dispute resolution",
                 "M79.7"):  # fmt: skip
        assert text in page, text


def test_the_desk_records_a_printed_delivery(login, front_desk, patient, prices, site_billing):
    estimate = billing.estimate_issue(patient=patient, by=front_desk, infusions=6)
    client = login(front_desk)
    client.post(reverse("billing:estimate_deliver", args=[estimate.pk]), {"method": "print"})
    assert EstimateDelivery.objects.get().method == "print"


def test_the_estimates_owed_are_listed_and_counted_on_the_desk_home(
    login, front_desk, shifts, patient, protocol, site, chairs, nurse,
    django_assert_max_num_queries,
):  # fmt: skip
    course = book_course(patient, protocol, site, chairs[0], nurse, front_desk, count=8)
    client = login(front_desk)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("billing:estimates"))
    assert page.context["to_prepare"] == [course]
    work = {i.key: i.count for i in client.get(reverse("scheduling:board")).context["work_waiting"]}
    assert work["estimates_due"] == 1


def test_a_front_desk_user_reads_prices_but_may_not_publish(login, front_desk, prices):
    client = login(front_desk)
    assert b"$550.00" in client.get(reverse("billing:prices")).content
    assert client.post(reverse("billing:prices"), {}).status_code == 403


def test_an_admin_publishes_prices_on_the_page(login, clinic_admin, site):
    page = login(clinic_admin).post(reverse("billing:prices"), {
        "location": site.pk, "effective_from": site.today().isoformat(),
        "consultation": "300", "infusion": "-1",
    })  # fmt: skip
    assert "infusion" in page.context["form"].errors
    assert not PriceList.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [({"infusions": 0}, "infusions"), ({}, "infusions"), ({"course": 999999}, "course"),
     ({"infusions": "six"}, "infusions")],
)  # fmt: skip
def test_a_bad_estimate_is_a_400_naming_the_field(
    login, front_desk, patient, prices, site_billing, body, field
):
    url = f"/api/v1/patients/{patient.pk}/estimates/"
    assert field in errors(post(login(front_desk), url, body))
    assert not GoodFaithEstimate.objects.exists()


def test_the_api_issues_updates_and_delivers_an_estimate(
    login, front_desk, patient, prices, site_billing
):
    client = login(front_desk)
    url = f"/api/v1/patients/{patient.pk}/estimates/"
    issued = post(client, url, {"infusions": 6, "consultation": True})
    assert issued.status_code == 201 and issued.json()["total_usd"] == "3300.00"
    first = issued.json()["id"]
    updated = post(client, f"{url}{first}/update_estimate/",
                   {"infusions": 8, "change_reason": "Course of eight"})  # fmt: skip
    assert updated.status_code == 201 and updated.json()["supersedes"] == first
    assert "estimate" in errors(post(client, f"{url}{first}/deliver/", {"method": "print"}), 409)
    delivered = post(client, f"{url}{updated.json()['id']}/deliver/", {"method": "print"})
    assert delivered.status_code == 201


def test_prices_in_the_api(login, front_desk, clinic_admin, site):
    body = {"location": site.pk, "effective_from": site.today().isoformat(),
            "consultation": "300.00", "infusion": "0"}  # fmt: skip
    assert post(login(front_desk), "/api/v1/price-lists/", body).status_code == 403
    admin = login(clinic_admin)
    assert "infusion" in errors(post(admin, "/api/v1/price-lists/", body))
    created = post(admin, "/api/v1/price-lists/", {**body, "infusion": "550.00"})
    assert created.status_code == 201, created.content
    assert {i["kind"]: i["price_usd"] for i in created.json()["items"]} == {
        "consultation": "300.00", "infusion": "550.00"}  # fmt: skip
    assert Decimal(created.json()["items"][0]["price_usd"]) > 0
