import pytest

from infusions.services import vitals_record
from tests.helpers import GOOD


@pytest.fixture
def charted(record, nurse):
    vitals_record(record=record, taken_by=nurse, **GOOD)
    return record
