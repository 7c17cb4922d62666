"""The read access log: one row per successful read of a patient's record (page, API,
export), written by one middleware from one registry, in one INSERT."""

import pytest
from django.urls import resolve, reverse
from rest_framework.authtoken.models import Token

from audit.models import AccessKind, AccessLog
from audit.reads import EXEMPT, READS, admin_reads, source_for
from tests.factories import PatientFactory
from tests.urlwalk import all_urls

CLINICAL_APPS = (
    "patients.",
    "scheduling.",
    "infusions.",
    "waitlist.",
    "outcomes.",
    "billing.",
    "audit.",
    "reports.",
    "fhir_r4.",
)


def _view_module(path: str) -> str:
    func = resolve(path).func
    return getattr(getattr(func, "cls", None) or func, "__module__", "") or ""


def _api_write_only(path: str) -> bool:
    """A DRF route that answers no GET (an action such as sign or cancel): only writes."""
    actions = getattr(resolve(path).func, "actions", None)
    return actions is not None and "get" not in actions


def test_every_view_of_the_clinical_apps_is_logged_or_exempted_with_a_reason():
    unclassified = sorted(
        {
            url.name
            for url in all_urls()
            if not url.name.startswith("admin:")
            and _view_module(url.path).startswith(CLINICAL_APPS)
            and source_for(url.name) is None
            and not _api_write_only(url.path)
            and not EXEMPT.get(url.name, "").strip()
        }
    )
    assert not unclassified, (
        "These views may show patient data: add them to audit.reads.READS (how the patient is "
        f"found) or to EXEMPT (with the reason): {unclassified}"
    )


def test_the_registry_names_only_urls_that_exist_and_none_twice():
    names = {url.name for url in all_urls()}
    assert not set(READS) - names
    assert not set(EXEMPT) - names
    assert not (set(READS) & set(EXEMPT))


def test_admin_change_pages_of_patient_data_are_logged():
    found = admin_reads()
    assert "admin:patients_patient_change" in found
    assert "admin:infusions_vitalsreading_change" in found
    assert "admin:scheduling_appointment_change" in found
    assert "admin:scheduling_chair_change" not in found


@pytest.mark.django_db
def test_the_patient_page_writes_one_row_without_health_data(login, nurse, site):
    patient = PatientFactory(home_location=site)
    login(nurse).get(reverse("patients:detail", args=[patient.pk]), {"tab": "weights"})
    row = AccessLog.objects.get()
    assert (row.user, row.patient, row.kind) == (nurse, patient, AccessKind.PAGE)
    assert row.view_name == "patients:detail"
    assert row.ip_address == "127.0.0.1"
    assert row.at.utcoffset().total_seconds() == 0
    fields = {field.name for field in AccessLog._meta.get_fields()}
    assert fields == {"id", "user", "patient", "at", "ip_address", "view_name", "kind"}


@pytest.mark.django_db
def test_a_read_costs_one_insert(login, nurse, site, django_assert_num_queries):
    patient = PatientFactory(home_location=site)
    client = login(nurse)
    url = reverse("patients:detail", args=[patient.pk])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as logged:
        client.get(url)
    inserts = [q["sql"] for q in logged.captured_queries if "audit_accesslog" in q["sql"]]
    assert len(inserts) == 1 and inserts[0].startswith("INSERT")
    assert AccessLog.objects.count() == 2


@pytest.mark.django_db
def test_the_chair_screen_and_dose_panel_log_the_appointments_patient(login, nurse, appointment):
    client = login(nurse)
    for name in ("infusions:chair", "infusions:dose_panel"):
        assert client.get(reverse(name, args=[appointment.pk])).status_code == 200
    rows = AccessLog.objects.order_by("pk")
    assert [(r.view_name, r.patient_id) for r in rows] == [
        ("infusions:chair", appointment.patient_id),
        ("infusions:dose_panel", appointment.patient_id),
    ]


@pytest.mark.django_db
def test_the_printable_record_is_logged_as_an_export(login, nurse, record):
    response = login(nurse).get(reverse("infusions:record_print", args=[record.appointment_id]))
    assert response.status_code == 200
    row = AccessLog.objects.get()
    assert (row.kind, row.patient_id) == (AccessKind.EXPORT, record.appointment.patient_id)


@pytest.mark.django_db
def test_an_api_read_with_a_token_is_logged_as_api(client, nurse, charted):
    token = Token.objects.create(user=nurse)
    response = client.get(
        reverse("infusion-vitals-list"), {"record": charted.pk},
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )  # fmt: skip
    assert response.status_code == 200
    row = AccessLog.objects.get()
    assert (row.user, row.patient_id, row.kind) == (
        nurse, charted.appointment.patient_id, AccessKind.API,
    )  # fmt: skip
    assert row.view_name == "infusion-vitals-list"


@pytest.mark.django_db
def test_nested_api_reads_find_the_patient_from_the_url(login, nurse, site):
    patient = PatientFactory(home_location=site)
    client = login(nurse)
    assert client.get(f"/api/v1/patients/{patient.pk}/").status_code == 200
    assert client.get(f"/api/v1/patients/{patient.pk}/weights/").status_code == 200
    assert list(AccessLog.objects.values_list("view_name", "patient_id").order_by("pk")) == [
        ("patient-detail", patient.pk),
        ("patient-weight-list", patient.pk),
    ]


@pytest.mark.django_db
def test_refused_failed_and_list_requests_write_nothing(login, client, front_desk, nurse, site):
    patient = PatientFactory(home_location=site)
    other = PatientFactory()  # another site's patient: 404 for this nurse
    url = reverse("patients:detail", args=[patient.pk])
    client.get(url)  # anonymous: redirected to login
    login(nurse).get(reverse("patients:detail", args=[other.pk]))
    login(nurse).get(reverse("patients:list"))
    login(nurse).get("/api/v1/infusion-vitals/")  # no record filter: a list across patients
    login(front_desk).get(url, {"tab": "weights"})  # 403 for the front desk
    assert not AccessLog.objects.exists()


@pytest.mark.django_db
def test_the_admin_change_page_of_a_patient_is_logged(login, clinic_admin, site):
    patient = PatientFactory(home_location=site)
    response = login(clinic_admin).get(reverse("admin:patients_patient_change", args=[patient.pk]))
    assert response.status_code == 200
    row = AccessLog.objects.get()
    assert (row.patient, row.view_name) == (patient, "admin:patients_patient_change")


@pytest.mark.django_db
def test_forwarded_for_counts_only_behind_a_trusted_proxy(login, nurse, site, settings):
    patient = PatientFactory(home_location=site)
    client = login(nurse)
    url = reverse("patients:detail", args=[patient.pk])
    forged = {"HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9"}
    settings.TRUSTED_PROXY_COUNT = 0
    client.get(url, REMOTE_ADDR="10.0.0.2", **forged)
    settings.TRUSTED_PROXY_COUNT = 1
    client.get(url, REMOTE_ADDR="10.0.0.2", **forged)
    assert list(AccessLog.objects.order_by("pk").values_list("ip_address", flat=True)) == [
        "10.0.0.2",
        "203.0.113.9",
    ]
