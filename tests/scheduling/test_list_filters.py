"""The scheduling and consultation lists filter through django-filter, as the infusion lists
do: a value that cannot be what the parameter names is a 400 naming the parameter, a date
is YYYY-MM-DD only, and a well-formed value that matches nothing is an empty list."""

import pytest

BAD_ID, BAD_CHOICE, BAD_DATE = "²", "\x00", "12/31/2026"
LIST_FILTERS = [
    ("/api/v1/chairs/", "location", BAD_ID, "Enter a valid id"),
    ("/api/v1/nurse-shifts/", "location", "9" * 25, "Enter a valid id"),
    ("/api/v1/nurse-shifts/", "date", BAD_DATE, "Enter a valid date."),
    ("/api/v1/opening-hours/", "location", "-1", "Enter a valid id"),
    ("/api/v1/closed-days/", "location", "site", "Enter a valid id"),
    ("/api/v1/courses/", "patient", "٣", "Enter a valid id"),
    ("/api/v1/courses/", "status", "running", "Select a valid choice."),
    ("/api/v1/appointments/", "day", "monday", "Enter a valid date."),
    ("/api/v1/appointments/", "day", BAD_DATE, "Enter a valid date."),
    ("/api/v1/appointments/", "chair", BAD_ID, "Enter a valid id"),
    ("/api/v1/appointments/", "status", BAD_CHOICE, "Select a valid choice."),
    ("/api/v1/consultation-requests/", "status", "pending", "Select a valid choice."),
]


@pytest.mark.parametrize(("url", "name", "value", "message"), LIST_FILTERS)
def test_a_bad_filter_value_is_a_400_naming_the_parameter(
    login, front_desk, url, name, value, message
):
    response = login(front_desk).get(url, {name: value})
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert list(errors) == [name] and errors[name][0].startswith(message)


@pytest.mark.parametrize(
    ("url", "name", "value"),
    [
        ("/api/v1/chairs/", "location", "987654321"),
        ("/api/v1/nurse-shifts/", "date", "2026-12-31"),
        ("/api/v1/courses/", "status", "abandoned"),
        ("/api/v1/appointments/", "patient", "987654321"),
        ("/api/v1/consultation-requests/", "status", "converted"),
    ],
)
def test_a_well_formed_value_that_matches_nothing_is_an_empty_list(
    login, front_desk, url, name, value
):
    response = login(front_desk).get(url, {name: value})
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 0
