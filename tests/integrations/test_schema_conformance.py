"""The schema keeps its word (issue 15): schemathesis generates requests for every operation
of the OpenAPI schema and sends them to a live server, as each role and as an API key of
every scope, on a clinic built for the test (tests/clinic/role_world.py) and thrown away
after it. No answer may be a 5xx, and every answer the schema describes must match it.

Path ids are the clinic's real rows (as the role-matrix walk fills them in), so most calls
reach a row and its representation is checked; query strings and bodies are generated.
Examples are few and fixed (``derandomize``): the run stays within a couple of minutes and
fails the same way every time.
"""

import datetime
import re

import pytest
import schemathesis
from django.test import Client
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from clinic.role_matrix import URLS
from integrations.scopes import Scope
from integrations.services import api_key_create
from scheduling.models import OpeningHours
from tests.clinic.role_world import MISSING, build_site, shared_objects, staff_at
from tests.factories import LocationFactory

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
READ_EXAMPLES = 1
WRITE_EXAMPLES = 1
PROFILES = ["front_desk", "nurse", "physician", "clinic_admin", "api key"]
WRITERS = ["front_desk", "nurse", "api key"]
PARAM = re.compile(r"{([^}]+)}")


@pytest.fixture
def clinic(transactional_db, live_server, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key": "100000/minute", "user": "100000/minute"},
    }
    site = LocationFactory(name="Schema Irvine", code="schema-irvine")
    staff = staff_at(site, "schema")
    shared = shared_objects(staff.physician)
    ids = {**shared, **build_site(site, staff, shared)}
    OpeningHours.objects.create(
        location=site, weekday=0, opens_at=datetime.time(8), closes_at=datetime.time(17, 30)
    )
    headers = {
        role: {"Authorization": f"Token {Token.objects.create(user=getattr(staff, role)).key}"}
        for role in PROFILES[:4]
    }
    _, secret = api_key_create(
        name="Schema walk", scopes=list(Scope.values), sites=[site],
        created_by=staff.clinic_admin, requests_per_minute=100_000,
    )  # fmt: skip
    headers["api key"] = {"Authorization": f"Api-Key {secret}"}
    client = Client()
    client.force_login(staff.clinic_admin)
    document = client.get("/api/schema/?format=json").json()
    return {"ids": ids, "headers": headers, "schema": document, "url": live_server.url}


def path_ids(path: str, ids: dict[str, int]) -> dict[str, str]:
    """The real row each path parameter names, through the role matrix's ``args``."""
    names = PARAM.findall(path)
    try:
        match = resolve(PARAM.sub("1", path))
    except Resolver404:
        return {}
    args = URLS[match.view_name].args
    values = {}
    for name in names:
        kind = args.get(name) or args.get("pk" if name == "id" else name, "")
        values[name] = kind[1:] if kind.startswith("=") else str(ids.get(kind, MISSING))
    return values


def walk(clinic, profile: str, methods: set[str], examples: int) -> list[str]:
    schema = schemathesis.openapi.from_dict(clinic["schema"])
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() not in methods:
            continue
        failures.extend(run_operation(clinic, operation, profile, examples))
    return failures


def run_operation(clinic, operation, profile: str, examples: int) -> list[str]:
    """Generated requests for one operation; what the checks found, one line each."""
    values, headers, found = path_ids(operation.path, clinic["ids"]), clinic["headers"][profile], []

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=operation.as_strategy())
    def run(case):
        case.path_parameters = {**case.path_parameters, **values}
        case.headers = {**(case.headers or {}), **headers}
        response = case.call(base_url=clinic["url"])
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 - all are reported
            found.append(f"{operation.label} as {profile}: {str(failure)[:600]}")

    run()
    return found


@pytest.mark.slow
def test_every_operation_keeps_to_the_schema(clinic):
    """Reads as each role and as the key; writes as the roles that write most and the key
    (the clinic is thrown away after the test, whatever they changed)."""
    failures = []
    for profile in PROFILES:
        failures += walk(clinic, profile, {"GET"}, READ_EXAMPLES)
    for profile in WRITERS:
        failures += walk(clinic, profile, {"POST", "PUT", "PATCH", "DELETE"}, WRITE_EXAMPLES)
    assert not failures, "\n\n".join(failures)
