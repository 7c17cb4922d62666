"""A patient found by the last digits of their phone, however the number is typed, by an
index on the reversed number (a LIKE '%digits' read every patient of the network)."""

import pytest

from patients.selectors import patient_search
from tests.factories import PatientFactory
from tests.plans import plans_of


@pytest.fixture
def callers(site):
    return {
        "ana": PatientFactory(home_location=site, phone="+17145550123"),
        "ben": PatientFactory(home_location=site, phone="+19495550123"),
        "cy": PatientFactory(home_location=site, phone="+17145559876"),
    }


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("7145550123", {"ana"}),
        ("(714) 555-0123", {"ana"}),
        ("+1 714 555 0123", {"ana"}),
        ("5550123", {"ana", "ben"}),  # the last seven digits: both numbers end so
        ("555-9876", {"cy"}),
        ("8185550123", set()),
    ],
)
def test_a_phone_is_found_by_its_last_digits(front_desk, callers, typed, found):
    names = {
        name for name, patient in callers.items() if patient in patient_search(front_desk, typed)
    }
    assert names == found


def test_the_phone_search_can_read_the_reversed_number_index(front_desk, callers):
    plans = plans_of(lambda: patient_search(front_desk, "7145550123"), "patient_phone_suffix")
    assert "patient_phone_suffix" in plans
