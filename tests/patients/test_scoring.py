from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patients.scoring import (
    ABDOMEN,
    AXIAL_REGION,
    CHEST,
    FIQR_FUNCTION,
    FIQR_OVERALL_IMPACT,
    FIQR_SYMPTOMS,
    HIP_LEFT,
    HIP_RIGHT,
    JAW_LEFT,
    JAW_RIGHT,
    LEFT_LOWER_REGION,
    LEFT_UPPER_REGION,
    LOWER_BACK,
    LOWER_LEG_LEFT,
    NECK,
    PAIN_AREAS,
    PAIN_REGIONS,
    RIGHT_LOWER_REGION,
    RIGHT_UPPER_REGION,
    SHOULDER_GIRDLE_LEFT,
    SHOULDER_GIRDLE_RIGHT,
    UPPER_ARM_LEFT,
    UPPER_ARM_RIGHT,
    UPPER_BACK,
    UPPER_LEG_LEFT,
    Phq9Band,
    ScoringError,
    acr_2016_criteria,
    fiqr_score,
    pain_nrs_change,
    phq9_band,
    phq9_score,
)

# No example database: a test run must leave nothing behind in the checkout. The autouse
# password-hasher fixture is harmless to share across examples.
properties = settings(database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def fiqr_items(function: list, overall: list, symptoms: list) -> list:
    assert (len(function), len(overall), len(symptoms)) == (9, 2, 10)
    return [*function, *overall, *symptoms]


def acr(
    areas,
    *,
    fatigue=2,
    waking=2,
    cognitive=1,
    headaches=False,
    abdominal=False,
    depression=False,
    months=6,
):
    return acr_2016_criteria(
        painful_areas=areas,
        fatigue=fatigue,
        waking_unrefreshed=waking,
        cognitive_symptoms=cognitive,
        headaches=headaches,
        lower_abdominal_pain=abdominal,
        depression=depression,
        symptom_duration_months=months,
    )


# --- Pain NRS -----------------------------------------------------------------------------


def test_pain_drop_from_8_to_4_is_half_and_clinically_important():
    change = pain_nrs_change(8, 4)
    assert change.drop == 4
    assert change.percent_drop == Decimal("50.0")
    assert change.clinically_important


def test_pain_drop_percent_is_rounded_to_one_decimal():
    assert pain_nrs_change(3, 2).percent_drop == Decimal("33.3")
    assert pain_nrs_change(6, 5).percent_drop == Decimal("16.7")


def test_a_two_point_drop_is_important_even_below_thirty_percent():
    change = pain_nrs_change(10, 8)
    assert change.percent_drop == Decimal("20.0")
    assert change.clinically_important


def test_a_one_point_drop_is_important_only_when_it_is_thirty_percent():
    assert pain_nrs_change(3, 2).clinically_important
    assert not pain_nrs_change(4, 3).clinically_important


def test_worse_pain_is_a_negative_drop_and_never_important():
    change = pain_nrs_change(4, 7)
    assert change.drop == -3
    assert change.percent_drop == Decimal("-75.0")
    assert not change.clinically_important


def test_no_pain_before_has_no_percent_drop_instead_of_dividing_by_zero():
    change = pain_nrs_change(0, 3)
    assert change.drop == -3
    assert change.percent_drop is None
    assert not change.clinically_important


@pytest.mark.parametrize(
    ("before", "after", "field", "message"),
    [
        (11, 3, "before", "Must be between 0 and 10."),
        (5, -1, "after", "Must be between 0 and 10."),
        (True, 3, "before", "Must be a whole number."),
        (5, 2.5, "after", "Must be a whole number."),
    ],
)
def test_pain_scores_outside_0_to_10_are_refused(before, after, field, message):
    with pytest.raises(ScoringError) as caught:
        pain_nrs_change(before, after)
    assert caught.value.errors == {field: message}


# --- FIQR ---------------------------------------------------------------------------------


def test_fiqr_worked_example_scores_57():
    score = fiqr_score(fiqr_items([5] * 9, [6, 6], [6] * 10))
    assert score.function == Decimal("15.0")
    assert score.overall_impact == Decimal("12.0")
    assert score.symptoms == Decimal("30.0")
    assert str(score.total) == "57.0"
    assert score.problems == ()
    assert score.prorated_domains == ()


def test_fiqr_extremes_are_0_and_100():
    assert fiqr_score([0] * 21).total == Decimal("0.0")
    assert fiqr_score([10] * 21).total == Decimal("100.0")


def test_fiqr_rounds_thirds_to_one_decimal():
    # function sum 1 -> 0.333...
    assert fiqr_score(fiqr_items([1] + [0] * 8, [0, 0], [0] * 10)).total == Decimal("0.3")
    # function sum 2 -> 0.666...
    assert fiqr_score(fiqr_items([2] + [0] * 8, [0, 0], [0] * 10)).total == Decimal("0.7")


def test_fiqr_rounds_an_exact_half_tenth_up_not_to_even():
    # One function item missing, answered sum 6: prorated 6 x 9/8 = 6.75, / 3 = 2.25.
    score = fiqr_score(fiqr_items([None, 6] + [0] * 7, [0, 0], [0] * 10))
    assert score.function == Decimal("2.3")
    assert score.total == Decimal("2.3")


def test_fiqr_prorates_one_missing_item_in_every_domain():
    items = fiqr_items([None] + [4] * 8, [None, 8], [None] + [6] * 9)
    score = fiqr_score(items)
    # Each domain's mean stands in for its missing item: 4 x 9 / 3, 8 x 2, 6 x 10 / 2.
    assert (score.function, score.overall_impact, score.symptoms) == (12, 16, 30)
    assert score.total == Decimal("58.0")
    assert score.prorated_domains == (FIQR_FUNCTION, FIQR_OVERALL_IMPACT, FIQR_SYMPTOMS)
    assert score.problems == ()


def test_fiqr_prorating_matches_answering_the_missing_item_with_the_domain_mean():
    missing = fiqr_score(fiqr_items([3] * 8 + [None], [5, 5], [7] * 10))
    answered = fiqr_score(fiqr_items([3] * 9, [5, 5], [7] * 10))
    assert missing.total == answered.total


def test_fiqr_two_missing_items_in_a_domain_make_the_total_not_computable():
    score = fiqr_score(fiqr_items([5] * 9, [6, 6], [None, None] + [6] * 8))
    assert score.total is None
    assert score.symptoms is None
    assert score.function == Decimal("15.0")
    assert score.overall_impact == Decimal("12.0")
    assert len(score.problems) == 1
    problem = score.problems[0]
    assert problem.startswith("symptoms:")
    assert "item_12, item_13" in problem


def test_fiqr_unanswered_overall_impact_is_reported_by_domain():
    score = fiqr_score(fiqr_items([5] * 9, [None, None], [None, None] + [6] * 8))
    assert score.total is None
    assert [p.split(":")[0] for p in score.problems] == ["overall impact", "symptoms"]


@pytest.mark.parametrize(
    ("position", "value", "message"),
    [
        (11, 11, "Must be between 0 and 10."),
        (1, -1, "Must be between 0 and 10."),
        (21, 3.0, "Must be a whole number."),
        (5, True, "Must be a whole number."),
        (7, "4", "Must be a whole number."),
    ],
)
def test_fiqr_bad_answer_is_refused_on_its_item_field(position, value, message):
    items = [5] * 21
    items[position - 1] = value
    with pytest.raises(ScoringError) as caught:
        fiqr_score(items)
    assert caught.value.errors == {f"item_{position}": message}


def test_fiqr_reports_every_bad_item_at_once():
    items = [5] * 21
    items[2], items[19] = 12, False
    with pytest.raises(ScoringError) as caught:
        fiqr_score(items)
    assert set(caught.value.errors) == {"item_3", "item_20"}


@pytest.mark.parametrize("count", [0, 20, 22])
def test_fiqr_needs_exactly_21_answers(count):
    with pytest.raises(ScoringError) as caught:
        fiqr_score([5] * count)
    assert caught.value.errors == {"items": f"Expected 21 answers, got {count}."}


def test_scoring_error_is_a_value_error_with_a_readable_message():
    with pytest.raises(ValueError, match="item_11: Must be between 0 and 10."):
        fiqr_score([5] * 10 + [11] + [5] * 10)


@properties
@given(st.lists(st.one_of(st.none(), st.integers(0, 10)), min_size=21, max_size=21))
def test_fiqr_total_is_always_within_0_to_100_when_computable(items):
    score = fiqr_score(items)
    domains = (items[0:9], items[9:11], items[11:21])
    computable = all(domain.count(None) <= 1 for domain in domains)
    assert (score.total is not None) == computable
    if computable:
        assert Decimal(0) <= score.total <= Decimal(100)
        assert score.total.as_tuple().exponent == -1


@properties
@given(st.lists(st.integers(0, 10), min_size=21, max_size=21))
def test_fiqr_complete_answers_follow_bennetts_formula(items):
    exact = Decimal(sum(items[0:9])) / 3 + sum(items[9:11]) + Decimal(sum(items[11:21])) / 2
    assert abs(fiqr_score(items).total - exact) <= Decimal("0.05")


# --- 2016 ACR criteria --------------------------------------------------------------------

SEVEN_AREAS_IN_FOUR_REGIONS = [
    SHOULDER_GIRDLE_LEFT,
    UPPER_ARM_LEFT,
    SHOULDER_GIRDLE_RIGHT,
    HIP_LEFT,
    UPPER_LEG_LEFT,
    NECK,
    LOWER_BACK,
]


def test_the_wpi_has_19_areas_in_5_regions():
    assert len(PAIN_AREAS) == len(set(PAIN_AREAS)) == 19
    assert [len(areas) for areas in PAIN_REGIONS.values()] == [4, 4, 3, 3, 5]


def test_acr_met_by_wpi_7_and_sss_5():
    result = acr(SEVEN_AREAS_IN_FOUR_REGIONS, fatigue=2, waking=2, cognitive=1)
    assert (result.wpi, result.sss, result.fibromyalgia_severity) == (7, 5, 12)
    assert result.regions_with_pain == (
        LEFT_UPPER_REGION,
        RIGHT_UPPER_REGION,
        LEFT_LOWER_REGION,
        AXIAL_REGION,
    )
    assert result.generalized_pain
    assert result.criteria_met


def test_acr_not_met_by_wpi_7_with_sss_4():
    result = acr(SEVEN_AREAS_IN_FOUR_REGIONS, fatigue=2, waking=1, cognitive=1)
    assert result.sss == 4
    assert not result.criteria_met
    assert "does not meet" in result.reasons[0]


def test_acr_met_by_wpi_4_to_6_with_sss_9():
    areas = [SHOULDER_GIRDLE_LEFT, UPPER_ARM_RIGHT, HIP_LEFT, HIP_RIGHT]
    result = acr(areas, fatigue=3, waking=3, cognitive=2, headaches=True)
    assert (result.wpi, result.sss) == (4, 9)
    assert result.criteria_met


def test_acr_not_met_by_wpi_6_with_sss_8():
    areas = [SHOULDER_GIRDLE_LEFT, UPPER_ARM_RIGHT, HIP_LEFT, HIP_RIGHT, NECK, UPPER_BACK]
    result = acr(areas, fatigue=3, waking=3, cognitive=2)
    assert (result.wpi, result.sss) == (6, 8)
    assert result.generalized_pain
    assert not result.criteria_met


def test_acr_not_met_by_wpi_3_even_with_the_highest_sss():
    areas = [SHOULDER_GIRDLE_LEFT, HIP_LEFT, NECK]
    result = acr(
        areas, fatigue=3, waking=3, cognitive=3, headaches=True, abdominal=True, depression=True
    )
    assert (result.wpi, result.sss, result.fibromyalgia_severity) == (3, 12, 15)
    assert not result.criteria_met


def test_jaw_chest_and_abdomen_count_for_the_wpi_but_not_for_generalized_pain():
    # Painful areas in all five regions on paper, but in three of them only jaw/chest/abdomen.
    areas = [JAW_LEFT, JAW_RIGHT, CHEST, ABDOMEN, HIP_LEFT, UPPER_LEG_LEFT, HIP_RIGHT]
    result = acr(areas, fatigue=3, waking=3, cognitive=3)
    assert result.wpi == 7
    assert result.regions_with_pain == (LEFT_LOWER_REGION, RIGHT_LOWER_REGION)
    assert not result.generalized_pain
    assert not result.criteria_met
    assert "not generalized" in result.reasons[1]


def test_a_region_counts_once_it_has_an_area_besides_jaw_chest_or_abdomen():
    areas = [JAW_LEFT, UPPER_ARM_LEFT, JAW_RIGHT, UPPER_ARM_RIGHT, CHEST, UPPER_BACK, HIP_LEFT]
    result = acr(areas)
    assert result.regions_with_pain == (
        LEFT_UPPER_REGION,
        RIGHT_UPPER_REGION,
        LEFT_LOWER_REGION,
        AXIAL_REGION,
    )
    assert result.generalized_pain
    assert result.criteria_met


def test_acr_needs_symptoms_for_at_least_three_months():
    assert not acr(SEVEN_AREAS_IN_FOUR_REGIONS, months=2).criteria_met
    assert acr(SEVEN_AREAS_IN_FOUR_REGIONS, months=3).criteria_met


def test_acr_accepts_the_forms_area_checkboxes():
    ticked = {area: area in SEVEN_AREAS_IN_FOUR_REGIONS for area in PAIN_AREAS}
    result = acr(ticked)
    assert result.painful_areas == frozenset(SEVEN_AREAS_IN_FOUR_REGIONS)
    assert result.criteria_met


def test_acr_refuses_a_checkbox_that_is_not_yes_or_no():
    with pytest.raises(ScoringError) as caught:
        acr({NECK: True, LOWER_LEG_LEFT: 1})
    assert caught.value.errors == {LOWER_LEG_LEFT: "Must be yes or no."}


def test_acr_refuses_an_unknown_pain_area():
    with pytest.raises(ScoringError) as caught:
        acr([NECK, "knee_left"])
    assert caught.value.errors == {"painful_areas": "Unknown pain area: knee_left."}


def test_acr_refuses_a_bare_area_name_instead_of_a_collection():
    with pytest.raises(ScoringError) as caught:
        acr(NECK)
    assert set(caught.value.errors) == {"painful_areas"}


def test_acr_refuses_bad_symptom_answers_on_their_fields():
    with pytest.raises(ScoringError) as caught:
        acr([NECK], fatigue=4, waking=True, cognitive=-1, headaches=1, depression=None, months=-2)
    assert caught.value.errors == {
        "fatigue": "Must be between 0 and 3.",
        "waking_unrefreshed": "Must be a whole number.",
        "cognitive_symptoms": "Must be between 0 and 3.",
        "headaches": "Must be yes or no.",
        "depression": "Must be yes or no.",
        "symptom_duration_months": "Must be 0 or more.",
    }


@properties
@given(st.sets(st.sampled_from(PAIN_AREAS)))
def test_wpi_equals_the_number_of_painful_areas(areas):
    result = acr(areas)
    assert result.wpi == len(areas)
    assert result.fibromyalgia_severity == result.wpi + result.sss


# --- PHQ-9 --------------------------------------------------------------------------------


def phq9_items_totalling(total: int, item9: int = 0) -> list[int]:
    items = [0] * 9
    items[8] = item9
    remaining = total - item9
    for index in range(8):
        items[index] = min(3, remaining)
        remaining -= items[index]
    assert remaining == 0 and sum(items) == total
    return items


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, Phq9Band.MINIMAL),
        (4, Phq9Band.MINIMAL),
        (5, Phq9Band.MILD),
        (9, Phq9Band.MILD),
        (10, Phq9Band.MODERATE),
        (14, Phq9Band.MODERATE),
        (15, Phq9Band.MODERATELY_SEVERE),
        (19, Phq9Band.MODERATELY_SEVERE),
        (20, Phq9Band.SEVERE),
        (27, Phq9Band.SEVERE),
    ],
)
def test_phq9_band_edges(total, band):
    assert phq9_band(total) is band
    score = phq9_score(phq9_items_totalling(total, item9=3 if total == 27 else 0))
    assert (score.total, score.band) == (total, band)


def test_phq9_item_9_is_flagged_even_when_the_total_is_minimal():
    score = phq9_score([0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert score.total == 1
    assert score.band is Phq9Band.MINIMAL
    assert score.item9_positive


def test_phq9_high_total_without_item_9_is_not_flagged():
    assert not phq9_score([3, 3, 3, 3, 3, 3, 3, 3, 0]).item9_positive


def test_phq9_band_labels_read_as_words():
    assert Phq9Band.MODERATELY_SEVERE.label == "Moderately severe"


@pytest.mark.parametrize(
    ("position", "value", "message"),
    [
        (4, 4, "Must be between 0 and 3."),
        (9, -1, "Must be between 0 and 3."),
        (2, None, "This item must be answered."),
        (1, True, "Must be a whole number."),
        (3, 1.5, "Must be a whole number."),
    ],
)
def test_phq9_bad_answer_is_refused_on_its_item_field(position, value, message):
    items = [1] * 9
    items[position - 1] = value
    with pytest.raises(ScoringError) as caught:
        phq9_score(items)
    assert caught.value.errors == {f"item_{position}": message}


@pytest.mark.parametrize(
    "items", [[1] * 8, [1] * 10, "111111111", {f"item_{n}": 1 for n in range(9)}]
)
def test_phq9_needs_a_list_of_exactly_9_answers(items):
    with pytest.raises(ScoringError) as caught:
        phq9_score(items)
    assert set(caught.value.errors) == {"items"}


def test_phq9_band_refuses_an_impossible_total():
    with pytest.raises(ScoringError) as caught:
        phq9_band(28)
    assert caught.value.errors == {"total": "Must be between 0 and 27."}


@properties
@given(st.lists(st.integers(0, 3), min_size=9, max_size=9))
def test_phq9_total_is_the_sum_and_its_band_matches(items):
    score = phq9_score(items)
    assert score.total == sum(items)
    assert score.band is phq9_band(score.total)
    lowest, highest = {
        Phq9Band.MINIMAL: (0, 4),
        Phq9Band.MILD: (5, 9),
        Phq9Band.MODERATE: (10, 14),
        Phq9Band.MODERATELY_SEVERE: (15, 19),
        Phq9Band.SEVERE: (20, 27),
    }[score.band]
    assert lowest <= score.total <= highest
    assert score.item9_positive == (items[8] > 0)
