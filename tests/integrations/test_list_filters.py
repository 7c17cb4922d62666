"""Lists the API was missing filters for, and ordering on the main lists, through django-filter
(``clinic.filters``), described in the schema."""

import pytest

from tests.helpers import make_appointment

SORTED_LISTS = [
    "/api/v1/appointments/", "/api/v1/courses/", "/api/v1/waitlist/", "/api/v1/dose-orders/",
    "/api/v1/infusion-records/", "/api/v1/infusion-alerts/", "/api/v1/drug-log-entries/",
    "/api/v1/consultation-requests/",
]  # fmt: skip


def test_the_schema_describes_ordering_and_the_new_filters(login, nurse):
    schema = login(nurse).get("/api/schema/?format=json").json()
    for path in SORTED_LISTS:
        parameters = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
        assert "ordering" in parameters, path
        assert "descending" in parameters["ordering"]["description"], path
    records = {p["name"] for p in schema["paths"]["/api/v1/infusion-records/"]["get"]["parameters"]}
    assert {"appointment", "status"} <= records
    alerts = "/api/v1/infusion-alert-acknowledgements/"
    assert "record" in {p["name"] for p in schema["paths"][alerts]["get"]["parameters"]}


def test_appointments_sort_by_start_both_ways(login, front_desk, site, nurse, protocol):
    first = make_appointment(site=site, nurse=nurse, protocol=protocol)
    second = make_appointment(
        site=site, nurse=nurse, protocol=protocol, starts_at=first.starts_at.replace(year=2030)
    )
    client = login(front_desk)

    def ids(query):
        response = client.get(f"/api/v1/appointments/?{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids("ordering=starts_at") == [first.pk, second.pk]
    assert ids("ordering=-starts_at") == [second.pk, first.pk]


def test_an_unknown_ordering_is_a_400_naming_it(login, front_desk):
    response = login(front_desk).get("/api/v1/appointments/?ordering=patient__ssn")
    assert response.status_code == 400
    assert "ordering" in response.json()["errors"]


@pytest.mark.parametrize("who", ["nurse"])
def test_infusion_records_filter_by_appointment(login, nurse, site, protocol, who):
    from infusions.services import infusion_check_in

    one = make_appointment(site=site, nurse=nurse, protocol=protocol)
    other = make_appointment(site=site, nurse=nurse, protocol=protocol)
    record = infusion_check_in(appointment=one, by=nurse)
    infusion_check_in(appointment=other, by=nurse)
    client = login(nurse)
    rows = client.get(f"/api/v1/infusion-records/?appointment={one.pk}").json()["results"]
    assert [row["id"] for row in rows] == [record.pk]
    assert client.get("/api/v1/infusion-records/?appointment=x").status_code == 400
