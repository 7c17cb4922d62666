"""A course's outcome: responder and MCID arithmetic on answers with known totals, each
answer placed by its window, side effects and alerts per infusion, and a constant number of
queries however many infusions."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from infusions.services import side_effect_record, vitals_record
from outcomes import progress
from outcomes.course_outcome import course_outcome
from patients.services import measure_correct
from tests.factories import InfusionRecordFactory, on_the_visit_day
from tests.helpers import GOOD, ISSUE

from .course_helpers import (
    after,
    answer,
    before,
    course_of_visits,
    fiqr,
    give,
    pain,
    phq9,
    visits,
)

D = Decimal

# --- The arithmetic (plain values) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "latest", "status", "percent", "substantial"),
    [
        (8, 5, "responder", D("37.5"), False),  # 3/8
        (10, 7, "responder", D("30.0"), False),  # exactly 30%: a responder
        (7, 5, "not_responding", D("28.6"), False),  # 2/7 = 28.57%
        (6, 3, "responder", D("50.0"), True),  # exactly 50%: substantial
        (6, 7, "not_responding", D("-16.7"), False),  # worse
        (0, 0, "unknown", None, False),  # no pain at baseline
        (None, 4, "unknown", None, False),
        (8, None, "unknown", None, False),
    ],
)
def test_pain_response_is_30_percent_from_baseline(baseline, latest, status, percent, substantial):
    response = progress.pain_response(baseline, latest)
    assert response.status == status
    assert response.change.percent == percent
    assert response.substantial is substantial


def test_a_drop_of_29_96_percent_is_not_rounded_up_to_a_responder():
    # 7.5 -> 5.253 is 29.96%: shown as 30.0, but not a responder.
    response = progress.pain_response(D("7.5"), D("5.253"))
    assert response.change.percent == D("30.0")
    assert response.status == "not_responding"


@pytest.mark.parametrize(
    ("baseline", "latest", "meets"),
    [
        (D("60"), D("52"), False),  # 8/60 = 13.3%
        (D("60"), D("50"), True),  # 16.7%
        (D("50"), D("43"), True),  # exactly 14%
        (D("50"), D("43.1"), False),  # 13.8%
        (D("0"), D("0"), None),
        (None, D("40"), None),
    ],
)
def test_fiqr_change_against_the_14_percent_mcid(baseline, latest, meets):
    assert progress.fiqr_meets_mcid(baseline, latest) is meets


@pytest.mark.parametrize(
    ("baseline", "follow_up", "waned"),
    [(8, 7, True), (8, 6, False), (5, 4, True), (5, 3, False), (6, 9, True), (0, 5, False)],
)
def test_relief_has_waned_when_pain_is_back_within_20_percent_of_baseline(
    baseline, follow_up, waned
):
    assert progress.relief_has_waned(baseline, follow_up) is waned


def test_scores_are_never_floats():
    with pytest.raises(TypeError):
        progress.pain_response(8.0, 5)


# --- A course's outcome ------------------------------------------------------------------------


@pytest.fixture
def course(patient, protocol, site, nurse, front_desk):
    return course_of_visits(
        patient=patient, protocol=protocol, site=site, nurse=nurse, booked_by=front_desk, count=8
    )


def test_the_outcome_after_four_infusions_with_known_answers(course, patient, nurse):
    v = visits(course)
    give(*v[:4])
    day_before = v[0].starts_at - datetime.timedelta(days=1)
    answer(patient, nurse, day_before, "fiqr", "baseline", fiqr(6))  # 60
    answer(patient, nurse, day_before, "phq9", "baseline", phq9(14))
    for visit, (pre, post) in zip(v, [(8, 6), (7, 5), (7, 9), (7, 5)], strict=False):
        pain(patient, nurse, before(visit), "pre_infusion", pre)
        wrong = pain(patient, nurse, after(visit), "post_infusion", post)
    # Before infusion 4 answered twice: the later answer (6) counts.
    pain(patient, nurse, before(v[3]) + datetime.timedelta(minutes=2), "pre_infusion", 6)
    # After infusion 3 was charted 9 by mistake, corrected to 5: the correction counts.
    third_after = patient.measures.get(kind="pain_nrs", score=9)
    with time_machine.travel(after(v[2]) + datetime.timedelta(minutes=30)):
        measure_correct(measure=third_after, answers={"score": 5}, reason="typo",
                        corrected_by=nurse)  # fmt: skip
    answer(patient, nurse, after(v[3]), "fiqr", "post_infusion", fiqr(5, item_10=7))  # 52
    answer(patient, nurse, after(v[3]), "phq9", "post_infusion", phq9(9), by_patient=True)
    assert wrong.score == 5

    outcome = course_outcome(course)

    rows = [(r.number, r.given, r.pain_before, r.pain_after) for r in outcome.infusions]
    assert rows[:5] == [
        (1, True, 8, 6), (2, True, 7, 5), (3, True, 7, 5), (4, True, 6, 5), (5, False, None, None)
    ]  # fmt: skip
    assert len(rows) == 8
    assert outcome.given == 4
    assert outcome.infusions[0].relief == 2
    # Pain: 8 before infusion 1, 5 after infusion 4: down 3 points, 37.5%: a responder.
    assert outcome.pain_baseline.label == "Before infusion 1"
    assert outcome.pain_latest.label == "After infusion 4"
    assert outcome.pain.change.points == -3
    assert outcome.pain.change.percent == D("37.5")
    assert outcome.pain.status == "responder"
    assert not outcome.pain.substantial
    # FIQR 60 -> 52: 8 points, 13.3%: short of the 14% MCID.
    assert [(p.label, p.score) for p in outcome.fiqr.points] == [
        ("Baseline", 60), ("After infusion 4", 52)
    ]  # fmt: skip
    assert outcome.fiqr.change.points == -8
    assert outcome.fiqr.change.percent == D("13.3")
    assert outcome.fiqr.meets_mcid is False
    # PHQ-9 14 -> 9, the second from the patient.
    assert outcome.phq9.change.points == -5
    assert outcome.phq9.latest.by_patient
    assert outcome.phq9.meets_mcid is None
    # The review after infusion 4 (the default) is due now.
    assert outcome.review_after == 4
    assert outcome.review_due
    numbers = outcome.as_numbers()
    assert numbers["pain"]["reduction_percent"] == "37.5"
    assert numbers["pain"]["responder"] is True
    assert numbers["fiqr"]["meets_mcid"] is False
    assert numbers["infusions"][3]["pain_before"] == "6.0"


def test_the_end_of_course_answers_meet_the_mcid_and_the_30_percent(course, patient, nurse):
    v = visits(course)
    give(*v)
    answer(patient, nurse, v[0].starts_at - datetime.timedelta(days=2), "fiqr", "baseline",
           fiqr(5))  # 50  # fmt: skip
    pain(patient, nurse, before(v[0]), "pre_infusion", 10)
    pain(patient, nurse, after(v[-1]), "post_infusion", 7)
    # 43 = 40 + item 10 and 11 one more each + item 12 two more (half a point each).
    answer(patient, nurse, after(v[-1]) + datetime.timedelta(hours=1), "fiqr", "post_infusion",
           fiqr(4, item_10=5, item_11=5, item_12=6))  # fmt: skip
    outcome = course_outcome(course)
    assert outcome.fiqr.latest.label == "End of course"
    assert outcome.fiqr.latest.score == 43
    assert outcome.fiqr.change.percent == D("14.0")
    assert outcome.fiqr.meets_mcid is True
    assert outcome.pain_latest.label == "After infusion 8"
    assert outcome.pain.change.percent == D("30.0")
    assert outcome.pain.status == "responder"


def test_answers_outside_their_window_or_context_do_not_count(course, patient, nurse):
    v = visits(course)
    give(v[0])
    pain(patient, nurse, v[0].starts_at - datetime.timedelta(days=3), "pre_infusion", 9)
    pain(patient, nurse, before(v[0]), "post_infusion", 9)  # the wrong context
    outcome = course_outcome(course)
    assert outcome.infusions[0].pain_before is None
    assert outcome.pain.status == "unknown"
    assert outcome.pain.why_unknown == "No baseline pain score."


def _chart(visit, nurse, effect):
    with on_the_visit_day(visit):
        record = InfusionRecordFactory(appointment=visit, checked_in_by=nurse)
        vitals_record(record=record, taken_by=nurse, **ISSUE)
        vitals_record(record=record, taken_by=nurse, **GOOD)
        side_effect_record(record=record, by=nurse, side_effect=effect, severity="mild")


def test_side_effects_and_alerts_are_shown_per_infusion(course, patient, nurse):
    v = visits(course)
    _chart(v[1], nurse, "nausea")
    outcome = course_outcome(course)
    assert outcome.infusions[0].side_effects == []
    assert outcome.infusions[1].side_effects == [("Nausea", "mild")]
    assert len(outcome.infusions[1].alerts) == 1
    assert outcome.infusions[0].alerts == []


def _filled(count, patient, protocol, site, nurse, front_desk):
    course = course_of_visits(
        patient=patient, protocol=protocol, site=site, nurse=nurse, booked_by=front_desk,
        count=count,
    )  # fmt: skip
    v = visits(course)
    answer(patient, nurse, v[0].starts_at - datetime.timedelta(days=1), "fiqr", "baseline",
           fiqr(6))  # fmt: skip
    for number, visit in enumerate(v):
        _chart(visit, nurse, "headache")
        pain(patient, nurse, before(visit), "pre_infusion", 8)
        pain(patient, nurse, after(visit), "post_infusion", 8 - number % 4)
    give(*v)
    return course


def test_the_outcome_costs_the_same_queries_for_2_and_8_infusions(
    protocol, site, nurse, front_desk
):
    from tests.factories import PatientFactory
    from tests.helpers import make_bookable

    short = _filled(2, make_bookable(PatientFactory(home_location=site), nurse), protocol, site,
                    nurse, front_desk)  # fmt: skip
    long = _filled(8, make_bookable(PatientFactory(home_location=site), nurse), protocol, site,
                   nurse, front_desk)  # fmt: skip
    counts = []
    for course in (short, long):
        with CaptureQueriesContext(connection) as queries:
            outcome = course_outcome(course)
        counts.append(len(queries))
        assert all(row.side_effects and row.alerts for row in outcome.infusions)
    assert len(outcome.infusions) == 8
    assert counts[0] == counts[1] <= 11
