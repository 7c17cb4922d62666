"""API keys: hashed and shown once, scoped, limited to their sites and addresses, expiring,
revocable, counted and logged (issue 15)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog
from clinic.accounts import user_deactivate
from clinic.models import User
from clinic.staff import staff_for
from integrations.models import ApiKey, KeyCall
from integrations.services import api_key_create, api_key_revoke
from tests.factories import PatientFactory

PATIENTS = "/api/v1/patients/"


def test_only_a_hash_of_the_secret_is_stored(issue):
    key, secret = issue(["patients:read"])
    prefix, _, rest = secret.partition(".")
    assert prefix == key.prefix and len(rest) >= 32
    row = ApiKey.objects.filter(pk=key.pk).values().get()
    stored = " ".join(str(value) for value in row.values())
    assert rest not in stored and secret not in stored
    assert key.hashed_key.startswith("sha512$$")


def test_a_key_reads_what_its_scope_allows_and_nothing_else(issue, as_key, site, nurse):
    patient = PatientFactory(home_location=site)
    _, secret = issue(["patients:read"])
    client = as_key(secret)
    assert client.get(PATIENTS).status_code == 200
    assert client.get(f"{PATIENTS}{patient.pk}/").status_code == 200
    refused = client.get(f"/api/v1/patients/{patient.pk}/weights/")
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "This API key's scopes do not allow it to read charting.",
        "errors": {},
    }
    written = client.patch(f"{PATIENTS}{patient.pk}/", {}, content_type="application/json")
    assert written.status_code == 403
    assert "write patients" in written.json()["detail"]


def test_a_key_sees_only_the_rows_of_its_sites(issue, as_key, site, other_site):
    here = PatientFactory(home_location=site)
    there = PatientFactory(home_location=other_site)
    _, secret = issue(["patients:read"])
    client = as_key(secret)
    ids = {row["id"] for row in client.get(PATIENTS).json()["results"]}
    assert here.pk in ids and there.pk not in ids
    assert client.get(f"{PATIENTS}{there.pk}/").status_code == 404


def test_a_wrong_secret_a_revoked_and_an_expired_key_are_refused(issue, as_key, clinic_admin):
    key, secret = issue(["patients:read"])
    wrong = secret[:-1] + ("x" if secret[-1] != "x" else "y")
    assert as_key(wrong).get(PATIENTS).status_code == 401
    assert as_key("nodot").get(PATIENTS).status_code == 401

    expired, expired_secret = issue(
        ["patients:read"], name="Old", expiry_date=timezone.now() - datetime.timedelta(minutes=1)
    )
    response = as_key(expired_secret).get(PATIENTS)
    assert response.status_code == 401
    assert response.json() == {"detail": "This API key has expired.", "errors": {}}

    assert as_key(secret).get(PATIENTS).status_code == 200
    api_key_revoke(key=key, revoked_by=clinic_admin)
    response = as_key(secret).get(PATIENTS)
    assert response.status_code == 401
    assert response.json()["detail"] == "This API key has been revoked."
    key.refresh_from_db()
    assert key.revoked and key.revoked_by == clinic_admin and not key.user.is_active


def test_deactivating_the_service_user_revokes_the_key(issue, as_key, clinic_admin):
    key, secret = issue(["patients:read"])
    user_deactivate(user=key.user)
    key.refresh_from_db()
    assert key.revoked
    assert as_key(secret).get(PATIENTS).status_code == 401


def test_only_a_clinic_admin_issues_or_revokes_keys(front_desk, site, issue):
    with pytest.raises(PermissionDenied):
        api_key_create(name="X", scopes=["patients:read"], sites=[site], created_by=front_desk)
    key, _ = issue(["patients:read"])
    with pytest.raises(PermissionDenied):
        api_key_revoke(key=key, revoked_by=front_desk)
    assert not ApiKey.objects.get(pk=key.pk).revoked


def test_a_key_needs_a_scope_a_site_and_valid_networks(clinic_admin, site):
    for bad, field in [
        (dict(scopes=[], sites=[site]), "scopes"),
        (dict(scopes=["patients:delete"], sites=[site]), "scopes"),
        (dict(scopes=["patients:read"], sites=[]), "sites"),
        (dict(scopes=["patients:read"], sites=[site], allowed_networks=["10.0.0.300"]),
         "allowed_networks"),
    ]:  # fmt: skip
        with pytest.raises(ValidationError) as refused:
            api_key_create(name="X", created_by=clinic_admin, **bad)
        assert field in refused.value.message_dict
    assert not ApiKey.objects.exists()
    assert not User.objects.filter(is_service_account=True).exists()


def test_the_ip_allow_list(issue, as_key):
    _, secret = issue(["patients:read"], allowed_networks=["203.0.113.0/24", "2001:db8::1"])
    assert as_key(secret, REMOTE_ADDR="203.0.113.9").get(PATIENTS).status_code == 200
    assert as_key(secret, REMOTE_ADDR="2001:db8::1").get(PATIENTS).status_code == 200
    refused = as_key(secret, REMOTE_ADDR="198.51.100.1").get(PATIENTS)
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "This API key may not be used from this address.",
        "errors": {},
    }


def test_every_call_is_counted_and_logged_as_the_integration(issue, as_key, site):
    patient = PatientFactory(home_location=site)
    key, secret = issue(["patients:read"], name="Referral partner")
    client = as_key(secret, REMOTE_ADDR="192.0.2.5")
    client.get(f"{PATIENTS}{patient.pk}/")
    client.get(f"{PATIENTS}{patient.pk}/weights/")  # refused: still a call of the key
    key.refresh_from_db()
    assert key.use_count == 2 and key.last_used_at is not None
    calls = list(KeyCall.objects.filter(key=key).order_by("at", "pk"))
    assert [(c.method, c.view_name, c.status_code) for c in calls] == [
        ("GET", "patient-detail", 200),
        ("GET", "patient-weight-list", 403),
    ]
    assert calls[0].ip_address == "192.0.2.5"
    read = AccessLog.objects.get(patient=patient)
    assert read.user == key.user and read.kind == "api" and read.view_name == "patient-detail"
    assert str(read.user) == "Referral partner (API key)"


def test_the_service_user_cannot_log_in_and_is_not_on_the_staff_page(issue, clinic_admin):
    key, _ = issue(["scheduling:write"])
    assert not key.user.has_usable_password()
    response = Client().post(reverse("login"), {"username": key.user.username, "password": ""})
    assert response.status_code == 200  # the form again: no password opens this account
    assert key.user not in staff_for(clinic_admin)
    assert key.user.roles == {"front_desk"} and list(key.user.locations.all()) == [key.sites.get()]


def test_scopes_give_the_service_user_only_front_desk_and_nurse_roles(issue):
    key, _ = issue([scope for scope, _ in ApiKey._meta.get_field("scopes").base_field.choices])
    assert key.user.roles == {"front_desk", "nurse"}
    assert not key.user.is_staff and not key.user.is_superuser


def test_the_admin_shows_the_secret_once(login, clinic_admin, site):
    client = login(clinic_admin)
    response = client.post(
        reverse("admin:integrations_apikey_add"),
        {"name": "EHR bridge", "scopes": ["patients:read", "charting:read"], "sites": [site.pk],
         "allowed_networks": "203.0.113.0/24\n", "expiry_date_0": "", "expiry_date_1": "",
         "requests_per_minute": ""},
    )  # fmt: skip
    assert response.status_code == 200, response.content[:500]
    assert "no-store" in response["Cache-Control"]
    key = ApiKey.objects.get(name="EHR bridge")
    secret = response.context["secret"]
    assert secret.startswith(key.prefix + ".") and secret in response.content.decode()
    assert key.scopes == ["charting:read", "patients:read"]
    assert key.allowed_networks == ["203.0.113.0/24"] and key.created_by == clinic_admin
    page = client.get(reverse("admin:integrations_apikey_change", args=[key.pk]))
    assert page.status_code == 200 and secret.split(".")[1] not in page.content.decode()


def test_the_admin_revokes_keys(login, clinic_admin, issue, as_key):
    key, secret = issue(["patients:read"])
    client = login(clinic_admin)
    response = client.post(
        reverse("admin:integrations_apikey_changelist"),
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    assert response.status_code == 302
    assert ApiKey.objects.get(pk=key.pk).revoked
    assert as_key(secret).get(PATIENTS).status_code == 401


def test_the_admin_changes_scopes_and_the_service_user_follows(
    login, clinic_admin, issue, site, other_site
):
    clinic_admin.locations.add(other_site)
    key, _ = issue(["patients:read"])
    client = login(clinic_admin)
    page = client.get(reverse("admin:integrations_apikey_change", args=[key.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("admin:integrations_apikey_change", args=[key.pk]),
        {"name": "Billing sync", "scopes": ["charting:read"], "sites": [other_site.pk],
         "allowed_networks": "", "expiry_date_0": "", "expiry_date_1": "",
         "requests_per_minute": "30"},
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    key.refresh_from_db()
    user = User.objects.get(pk=key.user_id)
    assert key.scopes == ["charting:read"] and key.requests_per_minute == 30
    assert user.roles == {"nurse"} and list(user.locations.all()) == [other_site]


def test_a_revoked_keys_page_is_read_only_and_saving_it_changes_nothing(login, clinic_admin, issue):
    key, _ = issue(["patients:read"])
    api_key_revoke(key=key, revoked_by=clinic_admin)
    client = login(clinic_admin)
    url = reverse("admin:integrations_apikey_change", args=[key.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 302
    key.refresh_from_db()
    assert key.revoked and key.scopes == ["patients:read"]
