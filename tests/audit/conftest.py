import datetime
from decimal import Decimal

import pytest

from infusions.services import dose_order_create, infusion_check_in, vitals_record
from tests.infusions.test_orders import appointment, make_appointment, order, protocol, weigh

__all__ = ["appointment", "make_appointment", "order", "protocol", "weigh"]

GOOD = dict(systolic_mmhg=120, diastolic_mmhg=78, pulse_bpm=72, spo2_percent=98)


@pytest.fixture
def record(appointment, nurse):
    return infusion_check_in(appointment=appointment, by=nurse)


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
