"""List filters in the query string: a value that is not an id or not a known choice is
answered like any other unmatched filter (an empty list, or the report's 400 naming the
field), never with a 500. Found by fuzzing the API with schemathesis."""

import pytest

# "²" and "٣" pass str.isdigit; 25 nines overflow a bigint; a NUL byte cannot reach Postgres.
BAD_VALUES = ["²", "٣", "9" * 25, "\x00"]
LIST_FILTERS = [
    ("/api/v1/infusion-vitals/", "record"),
    ("/api/v1/infusion-events/", "record"),
    ("/api/v1/drug-log-entries/", "lot"),
    ("/api/v1/drug-log-entries/", "location"),
    ("/api/v1/drug-log-entries/", "order"),
    ("/api/v1/drug-log-entries/", "kind"),
    ("/api/v1/dose-orders/", "appointment"),
    ("/api/v1/dose-orders/", "status"),
    ("/api/v1/dose-checks/", "order"),
    ("/api/v1/protocol-versions/", "protocol"),
]


@pytest.mark.parametrize("value", BAD_VALUES)
@pytest.mark.parametrize(("url", "name"), LIST_FILTERS)
def test_a_filter_that_cannot_match_answers_a_list_not_a_500(login, physician, url, name, value):
    response = login(physician).get(url, {name: value})
    assert response.status_code == 200, response.content
    if name != "record":  # an unusable record id is ignored, as a word always was
        assert response.json()["count"] == 0


@pytest.mark.parametrize("value", BAD_VALUES)
@pytest.mark.parametrize(("name", "message"), [("lot", "Not a lot id."),
                                               ("location", "Not one of your sites.")])  # fmt: skip
def test_the_drug_log_report_names_an_unusable_lot_or_site(login, physician, name, message, value):
    response = login(physician).get("/api/v1/drug-log-report/", {name: value})
    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid input.", "errors": {name: [message]}}
