"""Dose arithmetic: the DOMAIN worked examples, every limit edge, and properties."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocols.dosing import (
    DOSE_ABOVE_HARD_MAX,
    DOSE_ABOVE_SOFT_MAX,
    WEIGHT_OUT_OF_RANGE,
    DoseInputError,
    DoseRules,
    calculate_dose,
    pounds_to_kg,
    round_down_to_step,
)

SEED_RULES = DoseRules()
FIFTY_MG_PER_ML = Decimal("50")


def dose_for(weight_kg, rules=SEED_RULES, vial=FIFTY_MG_PER_ML):
    return calculate_dose(weight_kg=Decimal(weight_kg), rules=rules, vial_mg_per_ml=vial)


def limit_codes(calculation):
    return [hit.code for hit in calculation.limits]


# The worked examples


def test_seventy_kg_gets_thirty_five_mg_at_one_fifty_ml_per_hour():
    calculation = dose_for("70")

    assert calculation.dose_mg == Decimal("35.0")
    assert calculation.dose_rate_mg_per_kg_per_h == Decimal("0.75")
    assert calculation.draw_volume_ml == Decimal("0.70")
    assert calculation.bag_volume_ml == Decimal("100")
    assert calculation.volume_to_infuse_ml == Decimal("100")
    assert calculation.infusion_minutes == 40
    assert calculation.pump_rate_ml_per_h == Decimal("150.0")
    assert calculation.final_concentration_mg_per_ml == Decimal("0.350")
    assert calculation.limits == ()
    assert not calculation.has_soft_limit
    assert not calculation.has_hard_limit


def test_one_fifty_four_pounds_is_sixty_nine_point_eight_five_kg_and_thirty_four_point_nine_mg():
    weight_kg = pounds_to_kg(Decimal("154"))

    assert weight_kg == Decimal("69.85")
    assert dose_for(weight_kg).dose_mg == Decimal("34.9")


def test_the_calculation_states_each_rounding_rule():
    rules = dose_for("70").rounding_rules

    assert rules["dose_mg"] == "rounded down to the protocol step (0.1 mg)"
    for shown in ("draw_volume_ml", "pump_rate_ml_per_h", "final_concentration_mg_per_ml"):
        assert shown in rules
    assert "bag volume" in rules["volume_to_infuse_ml"]


# Pounds


# 100 lb = 45.359237 kg: truncating would give 45.35.
@pytest.mark.parametrize(
    ("pounds", "kilograms"),
    [("1", "0.45"), ("100", "45.36"), ("220.5", "100.02"), ("0", "0.00")],
)
def test_pounds_convert_to_kilograms_rounded_half_up_to_hundredths(pounds, kilograms):
    assert pounds_to_kg(Decimal(pounds)) == Decimal(kilograms)


def test_pounds_typed_as_kilograms_meet_the_soft_limit_at_more_than_twice_the_dose():
    mistaken = dose_for("154")

    assert mistaken.dose_mg == Decimal("77.0")
    assert limit_codes(mistaken) == [DOSE_ABOVE_SOFT_MAX]
    assert mistaken.has_soft_limit
    assert not mistaken.has_hard_limit
    assert "kg, not lb" in mistaken.limits[0].message


# Rounding the dose down


def test_the_dose_is_rounded_down_never_up():
    # 70.19 kg x 0.5 = 35.095 mg: half-up would give 35.1 mg.
    assert dose_for("70.19").dose_mg == Decimal("35.0")


@pytest.mark.parametrize(
    ("amount", "step", "rounded"),
    [
        ("35.095", "0.1", "35.0"),
        ("35.1", "0.1", "35.1"),
        ("35.99", "0.25", "35.75"),
        ("37.4", "2.5", "35.0"),
        ("35.9", "1", "35"),
    ],
)
def test_rounding_down_works_for_any_protocol_step(amount, step, rounded):
    assert round_down_to_step(Decimal(amount), Decimal(step)) == Decimal(rounded)


# Limit edges (seed protocol: 0.5 mg/kg, soft max 60 mg, hard max 100 mg, 30-300 kg)


def test_a_dose_exactly_at_the_soft_maximum_meets_no_limit():
    calculation = dose_for("120")

    assert calculation.dose_mg == Decimal("60.0")
    assert calculation.limits == ()


def test_a_dose_one_step_above_the_soft_maximum_meets_the_soft_limit():
    calculation = dose_for("120.2")

    assert calculation.dose_mg == Decimal("60.1")
    assert limit_codes(calculation) == [DOSE_ABOVE_SOFT_MAX]
    assert calculation.limits[0].kind == "soft"


def test_a_dose_that_rounds_down_onto_the_soft_maximum_still_meets_the_soft_limit():
    # 120.1 kg x 0.5 = 60.05 mg: the limit is judged before rounding down.
    calculation = dose_for("120.1")

    assert calculation.dose_mg == Decimal("60.0")
    assert limit_codes(calculation) == [DOSE_ABOVE_SOFT_MAX]
    assert "60.05 mg" in calculation.limits[0].message


def test_a_dose_exactly_at_the_hard_maximum_meets_only_the_soft_limit():
    calculation = dose_for("200")

    assert calculation.dose_mg == Decimal("100.0")
    assert limit_codes(calculation) == [DOSE_ABOVE_SOFT_MAX]


def test_a_dose_one_step_above_the_hard_maximum_is_shown_uncapped_with_a_hard_limit():
    calculation = dose_for("200.2")

    assert calculation.dose_mg == Decimal("100.1")
    assert limit_codes(calculation) == [DOSE_ABOVE_HARD_MAX]
    assert calculation.has_hard_limit
    assert not calculation.has_soft_limit
    assert "cannot be given" in calculation.limits[0].message


@pytest.mark.parametrize("weight_kg", ["30", "300"])
def test_a_weight_exactly_at_either_end_of_the_range_is_in_range(weight_kg):
    assert WEIGHT_OUT_OF_RANGE not in limit_codes(dose_for(weight_kg))


@pytest.mark.parametrize("weight_kg", ["29.99", "300.01"])
def test_a_weight_just_outside_the_range_meets_a_hard_limit(weight_kg):
    calculation = dose_for(weight_kg)

    assert limit_codes(calculation)[0] == WEIGHT_OUT_OF_RANGE
    assert calculation.limits[0].kind == "hard"


def test_nine_hundred_kg_meets_the_weight_and_dose_hard_limits_and_is_not_capped():
    calculation = dose_for("900")

    assert calculation.dose_mg == Decimal("450.0")
    assert limit_codes(calculation) == [WEIGHT_OUT_OF_RANGE, DOSE_ABOVE_HARD_MAX]
    assert calculation.has_hard_limit


# Inputs with no dose to show


@pytest.mark.parametrize("weight_kg", ["0", "-5"])
def test_a_weight_of_zero_or_less_is_refused_on_the_weight_field(weight_kg):
    with pytest.raises(DoseInputError) as refused:
        dose_for(weight_kg)

    assert set(refused.value.errors) == {"weight_kg"}
    assert isinstance(refused.value, ValueError)


@pytest.mark.parametrize("weight_kg", ["NaN", "Infinity", "10000"])
def test_a_weight_that_is_not_a_body_weight_is_refused(weight_kg):
    with pytest.raises(DoseInputError) as refused:
        dose_for(weight_kg)

    assert set(refused.value.errors) == {"weight_kg"}


def test_a_vial_the_protocol_does_not_allow_is_refused_with_the_allowed_ones_named():
    with pytest.raises(DoseInputError) as refused:
        dose_for("70", vial=Decimal("25"))

    message = refused.value.errors["vial_mg_per_ml"]
    assert "25 mg/mL" in message
    for allowed in ("10 mg/mL", "50 mg/mL", "100 mg/mL"):
        assert allowed in message


def test_a_bad_weight_and_a_bad_vial_are_reported_together():
    with pytest.raises(DoseInputError) as refused:
        dose_for("-5", vial=Decimal("25"))

    assert set(refused.value.errors) == {"weight_kg", "vial_mg_per_ml"}


def test_a_float_weight_is_refused():
    with pytest.raises(TypeError, match="not a float"):
        calculate_dose(weight_kg=70.0, rules=SEED_RULES, vial_mg_per_ml=FIFTY_MG_PER_ML)


def test_a_float_vial_concentration_is_refused():
    with pytest.raises(TypeError, match="not a float"):
        calculate_dose(weight_kg=Decimal("70"), rules=SEED_RULES, vial_mg_per_ml=50.0)


def test_a_float_pound_entry_is_refused():
    with pytest.raises(TypeError, match="not a float"):
        pounds_to_kg(154.0)


def test_a_float_protocol_rule_is_refused():
    with pytest.raises(TypeError, match="not a float"):
        DoseRules(mg_per_kg=0.5)


def test_a_soft_maximum_above_the_hard_maximum_is_refused():
    with pytest.raises(DoseInputError) as refused:
        DoseRules(soft_max_mg=Decimal("120"), hard_max_mg=Decimal("100"))

    assert set(refused.value.errors) == {"soft_max_mg"}


# Vials


def test_a_ten_mg_per_ml_vial_needs_a_larger_draw_and_no_dilution_note():
    calculation = dose_for("70", vial=Decimal("10"))

    assert calculation.draw_volume_ml == Decimal("3.50")
    assert calculation.notes == ()


def test_a_hundred_mg_per_ml_vial_may_be_drawn_into_the_bag_with_a_dilution_note():
    calculation = dose_for("70", vial=Decimal("100"))

    assert calculation.draw_volume_ml == Decimal("0.35")
    assert calculation.pump_rate_ml_per_h == Decimal("150.0")
    assert len(calculation.notes) == 1
    assert "diluted" in calculation.notes[0]


def test_the_draw_volume_is_rounded_half_up_to_hundredths():
    # 34.9 mg / 50 mg/mL = 0.698 mL.
    assert dose_for("69.85").draw_volume_ml == Decimal("0.70")


def test_a_longer_protocol_slows_the_pump_and_the_dose_rate():
    rules = DoseRules(infusion_minutes=60)

    calculation = dose_for("70", rules=rules)

    assert calculation.pump_rate_ml_per_h == Decimal("100.0")
    assert calculation.dose_rate_mg_per_kg_per_h == Decimal("0.50")


# Properties

steps = st.sampled_from([Decimal("0.1"), Decimal("0.25"), Decimal("0.5"), Decimal("1")])
weights = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2, allow_nan=False
)


@st.composite
def protocols(draw):
    hard_max_mg = draw(st.decimals(min_value=Decimal("10"), max_value=Decimal("300"), places=1))
    soft_max_mg = draw(st.decimals(min_value=Decimal("5"), max_value=hard_max_mg, places=1))
    return DoseRules(
        mg_per_kg=draw(st.decimals(min_value=Decimal("0.1"), max_value=Decimal("2"), places=2)),
        infusion_minutes=draw(st.integers(min_value=20, max_value=240)),
        rounding_step_mg=draw(steps),
        soft_max_mg=soft_max_mg,
        hard_max_mg=hard_max_mg,
    )


@settings(max_examples=200)
@given(rules=protocols(), weight_kg=weights)
def test_a_dose_above_the_hard_maximum_always_reports_the_hard_limit(rules, weight_kg):
    calculation = calculate_dose(weight_kg=weight_kg, rules=rules, vial_mg_per_ml=Decimal("50"))

    if calculation.dose_mg > rules.hard_max_mg:
        assert DOSE_ABOVE_HARD_MAX in limit_codes(calculation)
        assert calculation.has_hard_limit


@settings(max_examples=200)
@given(rules=protocols(), lighter=weights, heavier=weights)
def test_the_dose_never_goes_down_when_the_weight_goes_up(rules, lighter, heavier):
    lighter, heavier = sorted([lighter, heavier])

    lighter_dose = calculate_dose(weight_kg=lighter, rules=rules, vial_mg_per_ml=Decimal("50"))
    heavier_dose = calculate_dose(weight_kg=heavier, rules=rules, vial_mg_per_ml=Decimal("50"))

    assert lighter_dose.dose_mg <= heavier_dose.dose_mg


@settings(max_examples=200)
@given(rules=protocols(), data=st.data())
def test_the_dose_is_within_one_step_below_weight_times_mg_per_kg_in_range(rules, data):
    weight_kg = data.draw(
        st.decimals(min_value=rules.min_weight_kg, max_value=rules.max_weight_kg, places=2)
    )

    calculation = calculate_dose(weight_kg=weight_kg, rules=rules, vial_mg_per_ml=Decimal("50"))

    shortfall = abs(calculation.dose_mg / weight_kg - rules.mg_per_kg) * weight_kg
    assert shortfall < rules.rounding_step_mg
    assert calculation.dose_mg <= weight_kg * rules.mg_per_kg
