"""Keys for the integration tests: ``issue(scopes, sites=...)`` -> (key, secret), and
``as_key(secret)`` -> a client that sends it."""

import pytest
from django.test import Client

from integrations.services import api_key_create


def key_header(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Api-Key {secret}"}


@pytest.fixture
def issue(clinic_admin, site):
    def _issue(scopes, sites=None, name="Billing sync", **options):
        return api_key_create(
            name=name, scopes=list(scopes), sites=list(sites or [site]),
            created_by=clinic_admin, **options,
        )  # fmt: skip

    return _issue


@pytest.fixture
def as_key():
    def _as(secret: str, **extra) -> Client:
        return Client(**key_header(secret), **extra)

    return _as
