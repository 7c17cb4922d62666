"""Scheduling tests book in the bookable clinic of tests/fixtures/scheduling.py; this adds a
second nurse at the site."""

import pytest

from clinic.roles import Role
from tests.factories import UserFactory


@pytest.fixture
def another_nurse(site):
    return UserFactory(role=Role.NURSE, locations=[site])
