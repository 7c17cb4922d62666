import datetime
from decimal import Decimal

import pytest

from infusions.services import dose_order_create, vitals_record
from tests.helpers import GOOD, weigh


@pytest.fixture
def charted(record, nurse):
    vitals_record(record=record, taken_by=nurse, **GOOD)
    return record


def order_for(appointment, nurse):
    weight = weigh(appointment, nurse, "70")
    return dose_order_create(
        appointment=appointment, weight=weight, vial_mg_per_ml=Decimal("50"), created_by=nurse
    )


def days_ago(days: int) -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=days)
