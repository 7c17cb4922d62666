"""POST /api/v1/dose-calculations/: the full breakdown, saving nothing."""

from decimal import Decimal

import pytest
from django.apps import apps

from infusions.services import protocol_create, protocol_revise, protocol_update

URL = "/api/v1/dose-calculations/"


@pytest.fixture
def calculate(login, nurse, protocol):
    """``calculate(weight=..., **overrides)`` -> the response, as the nurse by default."""

    def _calculate(user=nurse, **overrides):
        body = {"weight": "70", "weight_unit": "kg", "protocol": "fm"}
        body |= {"vial_mg_per_ml": "50", **overrides}
        body = {name: value for name, value in body.items() if value is not None}
        return login(user).post(URL, body, content_type="application/json")

    return _calculate


def infusions_row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for label in ("protocols", "infusions")
        for model in apps.get_app_config(label).get_models()
    }


def test_the_worked_example_gives_35_mg_0_7_ml_and_150_ml_per_hour(calculate, protocol):
    response = calculate()
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["dose_mg"] == "35.0"
    assert body["dose_rate_mg_per_kg_per_h"] == "0.75"
    assert body["draw_volume_ml"] == "0.70"
    assert body["vial_mg_per_ml"] == "50"
    assert body["bag_volume_ml"] == "100"
    assert body["volume_to_infuse_ml"] == "100"
    assert body["final_concentration_mg_per_ml"] == "0.350"
    assert body["pump_rate_ml_per_h"] == "150.0"
    assert body["infusion_minutes"] == 40
    assert body["weight_kg"] == "70.00" and body["weight_entered"] == "70 kg"
    assert body["limits"] == [] and body["notes"] == []
    assert not body["has_soft_limit"] and not body["has_hard_limit"]
    assert "rounded down" in body["rounding_rules"]["dose_mg"]
    assert body["protocol"] == "fm"
    assert body["protocol_version"] == protocol.current_version.pk
    assert body["version_number"] == 1 and body["is_current_version"] is True


def test_154_lb_is_converted_once_to_69_85_kg_and_gives_34_9_mg(calculate):
    body = calculate(weight="154", weight_unit="lb").json()
    assert body["weight_entered"] == "154 lb"
    assert body["weight_kg"] == "69.85"
    assert body["weight_lb"] == "154.0"
    assert body["dose_mg"] == "34.9"


def test_the_calculation_saves_nothing(calculate):
    before = infusions_row_counts()
    assert sum(before.values()) > 0
    assert calculate().status_code == 200
    assert calculate(weight="900").status_code == 200
    assert calculate(vial_mg_per_ml="30").status_code == 400
    assert infusions_row_counts() == before


def test_a_vial_the_protocol_does_not_stock_is_a_400_naming_vial_mg_per_ml(calculate):
    response = calculate(vial_mg_per_ml="30")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert list(body["errors"]) == ["vial_mg_per_ml"]
    assert "30 mg/mL is not a vial this protocol allows" in body["errors"]["vial_mg_per_ml"][0]


@pytest.mark.parametrize("weight, unit", [("0", "kg"), ("-5", "kg"), ("0", "lb"), ("-5", "lb")])
def test_a_weight_of_zero_or_less_is_a_400_naming_weight(calculate, weight, unit):
    response = calculate(weight=weight, weight_unit=unit)
    assert response.status_code == 400
    assert response.json()["errors"]["weight"] == ["Weight must be greater than zero kg."]


def test_900_kg_is_calculated_and_shows_the_hard_limits_met(calculate):
    response = calculate(weight="900")
    assert response.status_code == 200
    body = response.json()
    assert body["dose_mg"] == "450.0"
    assert body["has_hard_limit"] is True
    assert [(hit["kind"], hit["code"]) for hit in body["limits"]] == [
        ("hard", "weight_out_of_range"),
        ("hard", "dose_above_hard_max"),
    ]


def test_154_lb_typed_as_kg_meets_the_soft_limit_that_asks_about_the_unit(calculate):
    body = calculate(weight="154").json()
    assert body["dose_mg"] == "77.0"
    assert [(hit["kind"], hit["code"]) for hit in body["limits"]] == [
        ("soft", "dose_above_soft_max")
    ]
    assert "not lb" in body["limits"][0]["message"]


def test_a_100_mg_per_ml_vial_comes_with_the_dilution_note(calculate):
    body = calculate(vial_mg_per_ml="100").json()
    assert body["draw_volume_ml"] == "0.35"
    assert "must be diluted" in body["notes"][0]


def test_a_version_id_calculates_under_that_version_even_after_a_revision(
    calculate, protocol, physician
):
    first = protocol.current_version
    protocol_revise(
        protocol=protocol, changed_by=physician, change_note="Longer infusion", infusion_minutes=50
    )
    old = calculate(protocol=None, protocol_version=first.pk).json()
    assert (old["pump_rate_ml_per_h"], old["is_current_version"]) == ("150.0", False)
    current = calculate().json()
    assert (current["pump_rate_ml_per_h"], current["version_number"]) == ("120.0", 2)


def test_the_longer_pain_protocol_runs_a_250_ml_bag_over_4_hours(calculate, physician):
    protocol_create(
        name="Chronic pain 0.5 mg/kg/h over 4 h", code="pain-0-5h-240", created_by=physician,
        mg_per_kg=Decimal("2.0"), infusion_minutes=240, soft_max_mg=Decimal("200"),
        hard_max_mg=Decimal("300"), bag_volume_ml=Decimal("250"),
    )  # fmt: skip
    body = calculate(protocol="pain-0-5h-240").json()
    assert body["dose_mg"] == "140.0"
    assert body["dose_rate_mg_per_kg_per_h"] == "0.50"
    assert body["pump_rate_ml_per_h"] == "62.5"
    assert body["final_concentration_mg_per_ml"] == "0.560"


@pytest.mark.parametrize(
    "overrides",
    [
        {"protocol": None},
        {"protocol": "no-such-protocol"},
        {"protocol": None, "protocol_version": 999999},
    ],
)
def test_a_known_protocol_or_version_is_required(calculate, overrides):
    response = calculate(**overrides)
    assert response.status_code == 400
    assert {"protocol", "protocol_version"} & set(response.json()["errors"])


def test_a_protocol_and_a_version_together_are_refused(calculate, protocol):
    response = calculate(protocol_version=protocol.current_version.pk)
    assert response.status_code == 400
    assert "one of them" in response.json()["errors"]["protocol"][0]


def test_a_withdrawn_protocol_is_refused_by_code(calculate, protocol, physician):
    protocol_update(protocol=protocol, changed_by=physician, is_active=False)
    response = calculate()
    assert response.status_code == 400
    assert "withdrawn" in response.json()["errors"]["protocol"][0]


def test_nurses_physicians_and_clinic_admins_may_calculate(calculate, physician, clinic_admin):
    assert calculate(user=physician).status_code == 200
    assert calculate(user=clinic_admin).status_code == 200


def test_the_front_desk_may_not_calculate_a_dose(calculate, front_desk):
    assert calculate(user=front_desk).status_code == 403


def test_an_anonymous_caller_is_asked_to_authenticate(client, protocol):
    body = {"weight": "70", "weight_unit": "kg", "protocol": "fm", "vial_mg_per_ml": "50"}
    assert client.post(URL, body, content_type="application/json").status_code == 401
