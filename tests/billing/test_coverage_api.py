"""Coverage, who pays and benefits checks in the API: 400s name the field and save nothing,
versions through ``change``/``end``, an electronic check; the desk's, 403 for a nurse."""

import pytest

from billing.models import BenefitsCheck, Coverage
from tests.helpers import book_course


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def errors(response, code=400) -> dict:
    assert response.status_code == code, response.content
    return response.json()["errors"]


def coverages_url(patient):
    return f"/api/v1/patients/{patient.pk}/coverages/"


def test_the_desk_adds_changes_and_ends_a_coverage(login, front_desk, patient):
    client = login(front_desk)
    created = post(client, coverages_url(patient), {
        "payer_name": "Aetna", "member_id": "W1", "effective_from": "2026-01-01",
    })  # fmt: skip
    assert created.status_code == 201, created.content
    first = created.json()
    assert first["is_current"] and first["subscriber_name"] == patient.legal_name
    changed = post(client, f"{coverages_url(patient)}{first['id']}/change/",
                   {"member_id": "W2", "change_reason": "New card"})  # fmt: skip
    assert changed.status_code == 201 and changed.json()["supersedes"] == first["id"]
    again = post(client, f"{coverages_url(patient)}{first['id']}/change/",
                 {"member_id": "W3", "change_reason": "Stale"})  # fmt: skip
    assert "coverage" in errors(again, 409)
    ended = post(client, f"{coverages_url(patient)}{changed.json()['id']}/end/",
                 {"ended_on": "2026-06-30", "change_reason": "Plan ended"})  # fmt: skip
    assert ended.status_code == 201 and ended.json()["ended"]
    listed = client.get(coverages_url(patient)).json()["results"]
    assert [c["is_current"] for c in listed] == [False, False, False]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"payer_name": "A", "effective_from": "2026-01-01"}, "member_id"),
        ({"payer_name": "A", "member_id": "1", "effective_from": "soon"}, "effective_from"),
        ({"payer_name": "A", "member_id": "1", "effective_from": "2026-01-01",
          "effective_to": "2025-01-01"}, "effective_to"),
        ({"payer_name": "A", "member_id": "1", "effective_from": "2026-01-01",
          "rank": "secondary"}, "rank"),
        ({"payer_name": "A", "member_id": "1", "effective_from": "2026-01-01",
          "relationship": "cousin"}, "relationship"),
    ],
)  # fmt: skip
def test_a_bad_coverage_is_a_400_naming_the_field(login, front_desk, patient, body, field):
    assert field in errors(post(login(front_desk), coverages_url(patient), body))
    assert not Coverage.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"method": "phone", "result": "covered"}, "reference_number"),
        ({"method": "electronic", "result": "covered", "reference_number": "R"}, "method"),
        ({"method": "phone", "result": "maybe", "reference_number": "R"}, "result"),
        ({"method": "phone", "result": "covered", "reference_number": "R",
          "patient_responsibility_usd": "-5"}, "patient_responsibility_usd"),
        ({"method": "phone", "result": "covered", "reference_number": "R",
          "patient_responsibility_usd": "12.345"}, "patient_responsibility_usd"),
    ],
)  # fmt: skip
def test_a_bad_check_is_a_400_naming_the_field(login, front_desk, coverage, body, field):
    url = f"/api/v1/patients/{coverage.patient_id}/benefits-checks/"
    assert field in errors(post(login(front_desk), url, {"coverage": coverage.pk, **body}))
    assert not BenefitsCheck.objects.exists()


def test_a_check_by_phone_and_one_sent_electronically(login, front_desk, coverage, site_billing):
    client = login(front_desk)
    url = f"/api/v1/patients/{coverage.patient_id}/benefits-checks/"
    phoned = post(client, url, {"coverage": coverage.pk, "method": "phone", "result": "covered",
                                "reference_number": "CALL-1",
                                "patient_responsibility_usd": "60.00"})  # fmt: skip
    assert phoned.status_code == 201 and phoned.json()["patient_responsibility_usd"] == "60.00"
    sent = post(client, f"{coverages_url(coverage.patient)}{coverage.pk}/check-electronic/", {})
    assert sent.status_code == 201, sent.content
    assert sent.json()["method"] == "electronic" and sent.json()["result"] == "covered"
    assert len(client.get(url).json()["results"]) == 2


def test_a_nurse_is_refused(login, nurse, coverage):
    client = login(nurse)
    assert client.get(coverages_url(coverage.patient)).status_code == 403
    assert client.get("/api/v1/benefits-checks-due/").status_code == 403


def test_the_checks_due_list_in_a_bounded_number_of_queries(
    login,
    front_desk,
    shifts,
    patient,
    protocol,
    site,
    chairs,
    nurse,
    coverage,
    django_assert_max_num_queries,
):
    from billing import services as billing

    billing.payment_choice_record(patient=patient, funding="insurance", by=front_desk)
    book_course(patient, protocol, site, chairs[0], nurse, front_desk, count=8)
    client = login(front_desk)
    with django_assert_max_num_queries(8):
        listed = client.get("/api/v1/benefits-checks-due/").json()["results"]
    assert [c["patient"]["id"] for c in listed] == [patient.pk]
