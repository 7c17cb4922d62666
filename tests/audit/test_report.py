"""'Who looked at my record': page, CSV and API, for clinic admins only."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from audit.models import AccessLog
from tests.factories import LocationFactory, PatientFactory, UserFactory
from tests.helpers import days_ago


@pytest.fixture
def patient(site):
    return PatientFactory(home_location=site)


@pytest.fixture
def reads(patient, nurse, physician):
    AccessLog.objects.create(user=nurse, patient=patient, view_name="patients:detail",
                             kind="page", at=days_ago(10), ip_address="10.0.0.7")  # fmt: skip
    AccessLog.objects.create(user=physician, patient=patient, view_name="patient-detail",
                             kind="api", at=days_ago(1))  # fmt: skip
    neighbour = PatientFactory(home_location=patient.home_location)
    AccessLog.objects.create(user=nurse, patient=neighbour, view_name="patients:detail",
                             kind="page")  # fmt: skip


@pytest.mark.django_db
def test_the_clinic_admin_sees_who_read_the_record_newest_first(
    login, clinic_admin, patient, reads, nurse, physician, django_assert_max_num_queries
):
    client = login(clinic_admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("audit:patient_access", args=[patient.pk]))
    assert response.status_code == 200
    rows = list(response.context["rows"])
    assert [row.user for row in rows] == [physician, nurse]
    # The report is a read of the patient too, logged after it is rendered.
    assert AccessLog.objects.filter(patient=patient).latest("pk").user == clinic_admin
    assert b"10.0.0.7" in response.content


@pytest.mark.django_db
def test_the_date_filter_and_the_csv(login, clinic_admin, patient, reads, physician):
    since = (days_ago(3)).date().isoformat()
    until = (days_ago(0) - datetime.timedelta(days=1)).date().isoformat()
    response = login(clinic_admin).get(
        reverse("audit:patient_access_csv", args=[patient.pk]), {"since": since, "until": until}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'access-{patient.mrn}.csv"')
    table = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(row["username"], row["kind"], row["view"]) for row in table] == [
        (physician.username, "api", "patient-detail")
    ]


@pytest.mark.django_db
def test_a_backwards_date_range_is_a_field_error(login, clinic_admin, patient):
    url = reverse("audit:patient_access", args=[patient.pk])
    response = login(clinic_admin).get(url, {"since": "2026-05-02", "until": "2026-05-01"})
    assert response.status_code == 400
    assert "until" in response.context["form"].errors
    api = login(clinic_admin).get(
        f"/api/v1/audit/patients/{patient.pk}/access-log/", {"since": "bad"}
    )
    assert api.status_code == 400 and "since" in api.json()["errors"]


@pytest.mark.django_db
def test_the_api_lists_the_reads(login, clinic_admin, patient, reads, nurse):
    response = login(clinic_admin).get(f"/api/v1/audit/patients/{patient.pk}/access-log/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [row["username"] for row in results][-1] == nurse.username
    assert set(results[-1]) == {"id", "at", "user", "username", "name", "kind", "view_name",
                                "ip_address"}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["front_desk", "nurse", "physician"])
def test_other_roles_get_403(request, login, patient, role):
    client = login(request.getfixturevalue(role))
    for name in ("audit:patient_access", "audit:patient_access_csv", "audit:patient_export",
                 "audit:patient_export_json"):  # fmt: skip
        assert client.get(reverse(name, args=[patient.pk])).status_code == 403
    assert client.get(f"/api/v1/audit/patients/{patient.pk}/access-log/").status_code == 403
    assert not AccessLog.objects.exists()


@pytest.mark.django_db
def test_a_clinic_admin_sees_only_patients_of_sites_they_may_see(login, patient, monkeypatch):
    from audit import selectors

    elsewhere = PatientFactory(home_location=LocationFactory())
    admin = UserFactory(role="clinic_admin", locations=[patient.home_location])
    # Scoping follows patients_for (the clinic's one rule for which patients a user sees).
    same_site = type(patient).objects.filter(home_location=patient.home_location)
    monkeypatch.setattr(selectors, "patients_for", lambda user: same_site)
    client = login(admin)
    assert client.get(reverse("audit:patient_access", args=[elsewhere.pk])).status_code == 404
    assert client.get(reverse("audit:patient_access", args=[patient.pk])).status_code == 200


@pytest.mark.django_db
def test_the_patient_page_links_clinic_admins_to_the_report(login, clinic_admin, nurse, patient):
    url = reverse("patients:detail", args=[patient.pk])
    report = reverse("audit:patient_access", args=[patient.pk]).encode()
    assert report in login(clinic_admin).get(url).content
    assert report not in login(nurse).get(url).content
