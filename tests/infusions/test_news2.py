"""Chairside arithmetic: NEWS2 (RCP 2017, SpO2 scale 1), discharge scores, alert edges,
"within 20% of baseline" and the timed vitals prompts. Plain values, no database."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from infusions import scoring

COMPLETE = dict(
    respiratory_rate=16, spo2=98, on_oxygen=False, systolic=120, pulse=70,
    consciousness="A", temperature_c=Decimal("36.8"),
)  # fmt: skip


def test_the_worked_example_scores_6_medium():
    # RR 21 -> 2; SpO2 95 -> 1; air -> 0; SBP 105 -> 1; pulse 95 -> 1; alert -> 0;
    # temperature 38.5 -> 1. Total 2 + 1 + 0 + 1 + 1 + 0 + 1 = 6: medium (5-6).
    result = scoring.news2(
        respiratory_rate=21, spo2=95, on_oxygen=False, systolic=105, pulse=95,
        consciousness="A", temperature_c=Decimal("38.5"),
    )  # fmt: skip
    assert result.total == 6
    assert result.band == "medium"
    assert result.parts == {
        "respiratory_rate": 2, "spo2": 1, "air_or_oxygen": 0, "systolic": 1, "pulse": 1,
        "consciousness": 0, "temperature": 1,
    }  # fmt: skip


def test_a_normal_set_scores_0_low():
    assert scoring.news2(**COMPLETE).total == 0
    assert scoring.news2(**COMPLETE).band == "low"


def test_a_single_3_is_low_medium_and_7_is_high():
    assert scoring.news2(**{**COMPLETE, "consciousness": "V"}).band == "low-medium"
    high = scoring.news2(**{**COMPLETE, "respiratory_rate": 25, "spo2": 91, "on_oxygen": True})
    assert high.total == 8 and high.band == "high"


def test_an_incomplete_set_has_no_news2():
    assert scoring.news2(**{**COMPLETE, "respiratory_rate": None}) is None
    assert scoring.news2(**{**COMPLETE, "temperature_c": None}) is None
    assert scoring.news2(**{**COMPLETE, "consciousness": ""}) is None


@pytest.mark.parametrize(
    ("field", "value", "points"),
    [
        ("respiratory_rate", 8, 3), ("respiratory_rate", 9, 1), ("respiratory_rate", 11, 1),
        ("respiratory_rate", 12, 0), ("respiratory_rate", 20, 0), ("respiratory_rate", 24, 2),
        ("respiratory_rate", 25, 3), ("spo2", 91, 3), ("spo2", 92, 2), ("spo2", 93, 2),
        ("spo2", 94, 1), ("spo2", 96, 0), ("systolic", 90, 3), ("systolic", 91, 2),
        ("systolic", 101, 1), ("systolic", 111, 0), ("systolic", 219, 0), ("systolic", 220, 3),
        ("pulse", 40, 3), ("pulse", 41, 1), ("pulse", 51, 0), ("pulse", 91, 1),
        ("pulse", 111, 2), ("pulse", 130, 2), ("pulse", 131, 3),
        ("temperature_c", Decimal("35.0"), 3), ("temperature_c", Decimal("35.1"), 1),
        ("temperature_c", Decimal("36.1"), 0), ("temperature_c", Decimal("38.1"), 1),
        ("temperature_c", Decimal("39.1"), 2),
    ],
)  # fmt: skip
def test_each_news2_band_edge(field, value, points):
    assert scoring.news2(**{**COMPLETE, field: value}).total == points


def test_padss_and_aldrete_total_0_to_10_and_refuse_bad_items():
    padss = dict.fromkeys(scoring.DISCHARGE_ITEMS["padss"], 2)
    assert scoring.discharge_score("padss", padss) == (10, {})
    aldrete = {**dict.fromkeys(scoring.DISCHARGE_ITEMS["aldrete"], 2), "activity": 1}
    assert scoring.discharge_score("aldrete", aldrete) == (9, {})
    total, problems = scoring.discharge_score("padss", {**padss, "pain": 3})
    assert total is None and "pain" in problems
    assert "score_type" in scoring.discharge_score("other", padss)[1]


LIMITS = scoring.Thresholds(180, 90, 110, 130, 50, 92)
NORMAL = dict(systolic=120, diastolic=80, pulse=70, spo2=98)


@pytest.mark.parametrize(
    ("field", "quiet", "alerting"),
    [("systolic", 180, 181), ("systolic", 90, 89), ("diastolic", 110, 111),
     ("pulse", 130, 131), ("pulse", 50, 49), ("spo2", 92, 91)],
)  # fmt: skip
def test_alerts_fire_just_beyond_each_threshold_not_at_it(field, quiet, alerting):
    assert scoring.vitals_alerts(**{**NORMAL, field: quiet}, limits=LIMITS) == []
    found = scoring.vitals_alerts(**{**NORMAL, field: alerting}, limits=LIMITS)
    assert [parameter for parameter, _value, _message in found] == [field]


def test_within_20_percent_of_baseline():
    base = {"systolic_mmhg": 120, "pulse_bpm": 70}
    assert scoring.outside_baseline(base, {"systolic_mmhg": 144, "pulse_bpm": 56}) == []
    assert scoring.outside_baseline(base, {"systolic_mmhg": 145, "pulse_bpm": 70}) == [
        "systolic_mmhg"
    ]


T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
VERSION = SimpleNamespace(vitals_interval_minutes=15, recovery_vitals_interval_minutes=15)


def _record(status, **times):
    fields = {"checked_in_at": T0, "started_at": None, "ended_at": None, **times}
    return SimpleNamespace(status=status, protocol_version=VERSION, **fields)


def _reading(minutes, phase):
    return SimpleNamespace(taken_at=T0 + datetime.timedelta(minutes=minutes), phase=phase)


def minutes(n):
    return T0 + datetime.timedelta(minutes=n)


def test_baseline_is_due_at_check_in_and_nothing_more_before_start():
    record = _record("checked_in")
    assert scoring.next_vitals_due(record, [], minutes(5)) == (T0, False)
    assert scoring.next_vitals_due(record, [], minutes(16)) == (T0, True)
    assert scoring.next_vitals_due(_record("ready"), [_reading(3, "baseline")], minutes(9)) == (
        None,
        False,
    )


def test_while_running_the_next_reading_is_one_interval_after_the_last():
    record = _record("running", started_at=minutes(10))
    assert scoring.next_vitals_due(record, [_reading(3, "baseline")], minutes(20)) == (
        minutes(25),
        False,
    )
    readings = [_reading(3, "baseline"), _reading(24, "during")]
    assert scoring.next_vitals_due(record, readings, minutes(40)) == (minutes(39), True)


def test_an_end_reading_is_due_at_the_end_then_every_recovery_interval():
    ended = _record("completed", started_at=minutes(10), ended_at=minutes(50))
    assert scoring.next_vitals_due(ended, [], minutes(51)) == (minutes(50), False)
    assert scoring.next_vitals_due(ended, [], minutes(56)) == (minutes(50), True)
    recovery = _record("recovery", started_at=minutes(10), ended_at=minutes(50))
    readings = [_reading(51, "end")]
    assert scoring.next_vitals_due(recovery, readings, minutes(60)) == (minutes(66), False)
    assert scoring.next_vitals_due(_record("discharged"), readings, minutes(90)) == (None, False)
