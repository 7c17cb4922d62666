"""Lists the API was missing filters for, and ordering on the main lists, through django-filter
(``clinic.filters``), described in the schema."""

import pytest

from tests.factories import PatientFactory
from tests.helpers import make_appointment

# Lists without ``ordering``, and why.
UNSORTED = {
    "/api/v1/audit/patients/{id}/access-log/": "the privacy report: newest first, by design",
    "/api/v1/balances/": "computed per patient in SQL, largest balance first",
    "/api/v1/benefits-checks-due/": "computed from the courses starting soon, soonest first",
    "/api/v1/drug-discrepancies/": "the counts of one reconciliation, in the log's order",
}

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


def test_every_list_of_the_api_can_be_sorted_and_the_schema_says_how(login, nurse):
    schema = login(nurse).get("/api/schema/?format=json").json()
    unsorted = set()
    for path, operations in schema["paths"].items():
        answer = operations.get("get", {}).get("responses", {}).get("200", {})
        body = answer.get("content", {}).get("application/json", {}).get("schema", {})
        if "Paginated" not in body.get("$ref", ""):
            continue
        if "ordering" not in {p["name"] for p in operations["get"].get("parameters", [])}:
            unsorted.add(path)
    assert unsorted == set(UNSORTED)


def test_a_patients_weights_and_the_patient_list_sort_both_ways(login, nurse, site):
    from decimal import Decimal

    from patients.services import weight_record

    patient = PatientFactory(home_location=site, legal_last_name="Alvarez")
    PatientFactory(home_location=site, legal_last_name="Zamora")
    first = weight_record(patient=patient, value=Decimal("70"), unit="kg", measured_by=nurse)
    second = weight_record(patient=patient, value=Decimal("71"), unit="kg", measured_by=nurse)
    client = login(nurse)
    url = f"/api/v1/patients/{patient.pk}/weights/?ordering="
    ids = [row["id"] for row in client.get(url + "recorded_at").json()["results"]]
    assert ids == [first.pk, second.pk]
    ids = [row["id"] for row in client.get(url + "-recorded_at").json()["results"]]
    assert ids == [second.pk, first.pk]
    rows = client.get("/api/v1/patients/?ordering=-legal_last_name").json()["results"]
    names = [row["legal_last_name"] for row in rows]
    assert names == sorted(names, reverse=True) and "Zamora" in names
    assert client.get(url + "weight_kg").status_code == 400


def test_every_sortable_list_refuses_an_unknown_ordering(client, front_desk, nurse, clinic_admin):
    """A 400 naming ``ordering`` shows the list really runs its filters (a list written by
    hand could describe ``ordering`` and ignore it)."""
    patient = PatientFactory(home_location=front_desk.locations.first())
    client.force_login(nurse)
    schema = client.get("/api/schema/?format=json").json()
    ignored = []
    for path, operations in schema["paths"].items():
        names = {p["name"] for p in operations.get("get", {}).get("parameters", [])}
        if "ordering" not in names or "{id}" in path:
            continue
        url = path.replace("{patient_pk}", str(patient.pk)) + "?ordering=no_such_field"
        for user in (clinic_admin, front_desk, nurse):
            client.force_login(user)
            response = client.get(url)
            if response.status_code != 403:
                break
        if response.status_code != 400 or "ordering" not in response.json()["errors"]:
            ignored.append(f"{url}: {response.status_code}")
    assert not ignored
