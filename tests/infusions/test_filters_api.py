"""List filters in the query string: a value that cannot be what its parameter names (an id,
a known choice, a date) answers 400 naming the parameter, never a 500 and never a list that
looks like "no rows"; a well-formed value that matches nothing is an empty list. The bad
values were found by fuzzing the API with schemathesis."""

import pytest

# "²" and "٣" pass str.isdigit; 25 nines overflow a bigint; a NUL byte cannot reach Postgres.
BAD_VALUES = ["²", "٣", "9" * 25, "\x00"]
LIST_FILTERS = [
    ("/api/v1/infusion-vitals/", "record"),
    ("/api/v1/infusion-events/", "record"),
    ("/api/v1/infusion-corrections/", "record"),
    ("/api/v1/infusion-discharges/", "record"),
    ("/api/v1/drug-log-entries/", "lot"),
    ("/api/v1/drug-log-entries/", "location"),
    ("/api/v1/drug-log-entries/", "order"),
    ("/api/v1/drug-log-entries/", "kind"),
    ("/api/v1/dose-orders/", "appointment"),
    ("/api/v1/dose-orders/", "status"),
    ("/api/v1/dose-checks/", "order"),
    ("/api/v1/protocol-versions/", "protocol"),
]
CHOICES = {"kind", "status"}


@pytest.mark.parametrize("value", BAD_VALUES)
@pytest.mark.parametrize(("url", "name"), LIST_FILTERS)
def test_a_filter_value_that_cannot_be_right_is_a_400_naming_the_parameter(
    login, physician, url, name, value
):
    response = login(physician).get(url, {name: value})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["detail"] == "Invalid input." and list(body["errors"]) == [name]
    expected = "Select a valid choice." if name in CHOICES else "Enter a valid id"
    assert body["errors"][name][0].startswith(expected)


@pytest.mark.parametrize(("url", "name"), LIST_FILTERS)
def test_a_well_formed_filter_that_matches_nothing_is_an_empty_list(login, physician, url, name):
    value = {"kind": "drawn", "status": "cancelled"}.get(name, "987654321")
    response = login(physician).get(url, {name: value})
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 0


@pytest.mark.parametrize("name", ["start", "end"])
def test_a_bad_date_in_the_drug_log_is_a_400_naming_it(login, physician, name):
    response = login(physician).get("/api/v1/drug-log-entries/", {name: "12/31/2026"})
    assert response.status_code == 400
    assert response.json()["errors"] == {name: ["Enter a valid date."]}


def test_a_filter_narrows_a_list_and_a_detail_url_ignores_it_as_before(login, physician, order):
    """Filters narrow lists; a row's own URL is that row whatever the query string says."""
    client = login(physician)
    mine = client.get("/api/v1/dose-orders/", {"appointment": order.appointment_id}).json()
    assert [row["id"] for row in mine["results"]] == [order.pk]
    assert client.get("/api/v1/dose-orders/", {"status": "cancelled"}).json()["count"] == 0
    detail = client.get(f"/api/v1/dose-orders/{order.pk}/", {"status": "cancelled"})
    assert detail.status_code == 200 and detail.json()["id"] == order.pk
    assert client.get(f"/api/v1/dose-orders/{order.pk}/", {"status": "\x00"}).status_code == 200


@pytest.mark.parametrize("value", BAD_VALUES)
@pytest.mark.parametrize(("name", "message"), [("lot", "Not a lot id."),
                                               ("location", "Not one of your sites.")])  # fmt: skip
def test_the_drug_log_report_names_an_unusable_lot_or_site(login, physician, name, message, value):
    response = login(physician).get("/api/v1/drug-log-report/", {name: value})
    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid input.", "errors": {name: [message]}}
