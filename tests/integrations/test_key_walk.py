"""The key walk: every API URL of the URL conf with a key of each scope, like the role matrix
walk does with each role (tests/clinic/test_role_matrix.py), on the same clinic of two sites.

A key may do what its scope allows for the URL's resource group (integrations/scopes.py)
and what the roles of its service user allow (clinic/role_matrix.py); everything else is
403 and changes nothing. A key of one site sees nothing of the other. Dosing and drug-log
writes are refused to every key, even one holding every scope.
"""

from dataclasses import dataclass

import pytest
from django.db import transaction
from django.urls import reverse

from clinic.role_matrix import URLS
from integrations.models import ApiKey
from integrations.scopes import COMMON, URL_GROUPS, ResourceGroup, Scope, allows, group_of
from integrations.services import api_key_create
from tests.clinic.role_world import two_site_world
from tests.clinic.test_role_matrix import (
    SITE_URLS,
    describe,
    missing_object,
    path_for,
    request,
    site_bound,
    values_for,
    writes_so_far,
)
from tests.urlwalk import has_error_shape

API_URLS = [url for url in SITE_URLS if url.is_api]
PROFILES = {
    **{scope.value: [scope.value] for scope in Scope},
    "every scope": list(Scope.values),
}


@dataclass
class KeyWorld:
    here: dict[str, int]
    there: dict[str, int]
    secrets: dict[str, str]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), two_site_world("keys") as clinic:
        secrets = {}
        for name, scopes in PROFILES.items():
            _, secrets[name] = api_key_create(
                name=name, scopes=scopes, sites=[clinic.site], created_by=clinic.staff.clinic_admin,
                requests_per_minute=100_000,
            )  # fmt: skip
        yield KeyWorld(clinic.here, clinic.there, secrets)


@pytest.fixture
def as_profile(db, world, client):
    def _as(profile: str):
        client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {world.secrets[profile]}"
        return client

    return _as


def key_roles(profile: str) -> set[str]:
    from integrations.scopes import roles_for

    return roles_for(PROFILES[profile])


# --- The classification -------------------------------------------------------------------------


def test_every_api_url_is_classified_for_keys():
    unclassified = sorted({url.name for url in API_URLS} - set(URL_GROUPS))
    assert not unclassified, f"classify these in integrations/scopes.py URL_GROUPS: {unclassified}"


def test_the_classification_names_no_url_that_does_not_exist():
    stale = sorted(set(URL_GROUPS) - {url.name for url in API_URLS})
    assert not stale, f"not in the URL conf any more: {stale}"


def test_no_scope_writes_dosing_reports_or_fhir():
    for group in (ResourceGroup.DOSING, ResourceGroup.REPORTS, ResourceGroup.FHIR):
        assert not allows(Scope.values, group, writing=True)
        assert f"{group}:write" not in Scope.values


# --- GET -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_get_with_each_key(as_profile, world, profile):
    client, roles, wrong = as_profile(profile), key_roles(profile), []
    for url in API_URLS:
        access = URLS[url.name]
        group = group_of(url.name)
        path = path_for(url, access, world.here)
        response = client.get(path)
        said = f"GET {path} ({url.name}, {group}) with {profile}: {describe(response)}"
        if response.status_code >= 500:
            wrong.append(said)
            continue
        scoped = allows(PROFILES[profile], group, writing=False)
        if scoped and not roles and group == COMMON:
            ok = response.status_code in (200, 403)  # authenticated-only views answer
        elif scoped and roles & access.read:
            if not access.gets:
                ok = response.status_code == 405
            elif missing_object(access, world.here) and response.status_code == 404:
                ok = True
            else:
                ok = 200 <= response.status_code < 300
        else:
            ok = response.status_code == 403 and has_error_shape(response)
        if not ok:
            wrong.append(said)
    assert not wrong, "\n".join(wrong)


# --- Writes ---------------------------------------------------------------------------------------

WRITES = [(url, method) for url in API_URLS for method in URLS[url.name].methods]


@pytest.mark.parametrize("profile", PROFILES)
def test_writes_with_each_key(as_profile, world, profile):
    client, roles, wrong = as_profile(profile), key_roles(profile), []
    for url, method in WRITES:
        access = URLS[url.name]
        group = group_of(url.name)
        path = url.path_with(values_for(access, world.here))
        before = writes_so_far()
        with transaction.atomic():  # each write undone, so the next starts from the same world
            response = request(client, method, path)
            changed = writes_so_far() != before
            transaction.set_rollback(True)
        said = f"{method} {path} ({url.name}, {group}) with {profile}: {describe(response)}"
        allowed = allows(PROFILES[profile], group, writing=True) and bool(roles & access.write)
        if response.status_code >= 500:
            wrong.append(said)
        elif allowed:
            if response.status_code in (401, 403):
                wrong.append(f"{said} {response.content[:200]!r}")
        elif response.status_code != 403 or changed:
            wrong.append(f"{said}{', and rows changed' if changed else ''}")
    assert not wrong, "\n".join(wrong)


def test_dosing_writes_are_refused_even_with_every_scope(as_profile, world):
    client = as_profile("every scope")
    dosing = [(u, m) for u, m in WRITES if group_of(u.name) == ResourceGroup.DOSING]
    assert {u.name for u, _ in dosing} >= {
        "dose-order-list",
        "dose-check-list",
        "drug-log-entry-list",
        "drug-log-entry-account",
    }
    for url, method in dosing:
        path = url.path_with(values_for(URLS[url.name], world.here))
        before = writes_so_far()
        response = request(client, method, path)
        assert response.status_code == 403, f"{method} {path}: {describe(response)}"
        assert response.json()["detail"] == (
            "Dosing and drug-log entries are never written through an API key."
        )
        assert writes_so_far() == before


# --- The other site -------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_another_sites_rows_are_invisible(as_profile, world, profile):
    client, roles, wrong = as_profile(profile), key_roles(profile), []
    for url in API_URLS:
        access = URLS[url.name]
        if not site_bound(access) or missing_object(access, world.there):
            continue
        group = group_of(url.name)
        reading = access.gets and allows(PROFILES[profile], group, writing=False)
        writing = access.methods and allows(PROFILES[profile], group, writing=True)
        if not ((reading and roles & access.read) or (writing and roles & access.write)):
            continue  # refused by scope or role: the walks above check that
        path = path_for(url, access, world.there)
        before = writes_so_far()
        with transaction.atomic():
            if reading and roles & access.read:
                response = client.get(path)
                refusals = (403, 404)
            else:
                response = request(client, access.methods[0], path)
                refusals = (400, 403, 404)
            changed = writes_so_far() != before
            transaction.set_rollback(True)
        if response.status_code not in refusals or changed:
            wrong.append(f"{url.name} {path} with {profile}: {describe(response)}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("profile", ["patients:read", "scheduling:read", "every scope"])
def test_lists_leave_the_other_site_out(as_profile, world, profile):
    client = as_profile(profile)
    lists = {"patients:read": [("patient-list", "patient")],
             "scheduling:read": [("appointment-list", "appointment"), ("course-list", "course")],
             "every scope": [("patient-list", "patient"), ("course-list", "course"),
                             ("appointment-list", "appointment")]}  # fmt: skip
    for name, kind in lists[profile]:
        ids = {row["id"] for row in client.get(reverse(name)).json()["results"]}
        assert world.here[kind] in ids and world.there[kind] not in ids, f"{name} {profile}"


def test_the_walk_keys_exist(world):
    assert ApiKey.objects.filter(name__in=PROFILES).count() == len(PROFILES)
