"""Chairside arithmetic over plain values: NEWS2, discharge scores, vitals alerts, the
"back near baseline" test and when the next vitals reading falls due. No ORM in here.

NEWS2: Royal College of Physicians, National Early Warning Score 2 (2017), SpO2 scale 1.
PADSS: Chung 1995 (vital signs, activity, nausea/vomiting, pain, surgical bleeding).
Modified Aldrete: Aldrete 1995 (activity, respiration, circulation, consciousness, SpO2).
Each discharge item scores 0-2, totals 0-10.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

# --- NEWS2 -------------------------------------------------------------------------------


def _news2_rr(rate: int) -> int:
    if rate <= 8:
        return 3
    if rate <= 11:
        return 1
    if rate <= 20:
        return 0
    return 2 if rate <= 24 else 3


def _news2_spo2_scale1(spo2: int) -> int:
    if spo2 <= 91:
        return 3
    if spo2 <= 93:
        return 2
    return 1 if spo2 <= 95 else 0


def _news2_systolic(systolic: int) -> int:
    if systolic <= 90:
        return 3
    if systolic <= 100:
        return 2
    if systolic <= 110:
        return 1
    return 0 if systolic <= 219 else 3


def _news2_pulse(pulse: int) -> int:
    if pulse <= 40:
        return 3
    if pulse <= 50:
        return 1
    if pulse <= 90:
        return 0
    if pulse <= 110:
        return 1
    return 2 if pulse <= 130 else 3


def _news2_temperature(celsius: Decimal) -> int:
    if celsius <= Decimal("35.0"):
        return 3
    if celsius <= Decimal("36.0"):
        return 1
    if celsius <= Decimal("38.0"):
        return 0
    return 1 if celsius <= Decimal("39.0") else 2


@dataclass(frozen=True)
class News2:
    total: int
    band: str  # "low", "low-medium", "medium", "high"
    parts: dict


def news2_band(total: int, any_three: bool) -> str:
    if total >= 7:
        return "high"
    if total >= 5:
        return "medium"
    return "low-medium" if any_three else "low"


def news2(
    *,
    respiratory_rate: int | None,
    spo2: int | None,
    on_oxygen: bool,
    systolic: int | None,
    pulse: int | None,
    consciousness: str,
    temperature_c: Decimal | None,
) -> News2 | None:
    """The NEWS2 aggregate, or None when the set is incomplete (a part is missing).

    ``consciousness`` is AVPU (A, V, P, U) or C for new confusion: anything but A scores 3.
    """
    values = (respiratory_rate, spo2, systolic, pulse, temperature_c)
    if any(value is None for value in values) or not consciousness:
        return None
    parts = {
        "respiratory_rate": _news2_rr(respiratory_rate),
        "spo2": _news2_spo2_scale1(spo2),
        "air_or_oxygen": 2 if on_oxygen else 0,
        "systolic": _news2_systolic(systolic),
        "pulse": _news2_pulse(pulse),
        "consciousness": 0 if consciousness == "A" else 3,
        "temperature": _news2_temperature(Decimal(temperature_c)),
    }
    total = sum(parts.values())
    return News2(total, news2_band(total, 3 in parts.values()), parts)


# --- Discharge scores ----------------------------------------------------------------------

DISCHARGE_ITEMS = {
    "padss": ("vital_signs", "activity", "nausea_vomiting", "pain", "surgical_bleeding"),
    "aldrete": ("activity", "respiration", "circulation", "consciousness", "oxygen_saturation"),
}


def discharge_score(kind: str, items: dict) -> tuple[int | None, dict[str, str]]:
    """(total, problems by item). Each item is a whole number 0-2; the total is 0-10."""
    names = DISCHARGE_ITEMS.get(kind)
    if names is None:
        return None, {"score_type": "Choose PADSS or modified Aldrete."}
    problems = {}
    for name in names:
        value = items.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 2:
            problems[name] = "Score this item 0, 1 or 2."
    extra = set(items) - set(names)
    if extra:
        problems["item_scores"] = "Unknown items: " + ", ".join(sorted(extra)) + "."
    if problems:
        return None, problems
    return sum(items[name] for name in names), {}


# --- Vitals checks -------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    systolic_high: int
    systolic_low: int
    diastolic_high: int
    pulse_high: int
    pulse_low: int
    spo2_low: int


def vitals_alerts(*, systolic, diastolic, pulse, spo2, limits: Thresholds) -> list[tuple]:
    """(parameter, value, message) for each value beyond the protocol's thresholds.

    Thresholds are exclusive: systolic 180 with a high of 180 is no alert, 181 is.
    """
    found = []
    if systolic > limits.systolic_high:
        found.append(("systolic", systolic, f"Systolic {systolic} > {limits.systolic_high}"))
    if systolic < limits.systolic_low:
        found.append(("systolic", systolic, f"Systolic {systolic} < {limits.systolic_low}"))
    if diastolic > limits.diastolic_high:
        found.append(("diastolic", diastolic, f"Diastolic {diastolic} > {limits.diastolic_high}"))
    if pulse > limits.pulse_high:
        found.append(("pulse", pulse, f"Pulse {pulse} > {limits.pulse_high}"))
    if pulse < limits.pulse_low:
        found.append(("pulse", pulse, f"Pulse {pulse} < {limits.pulse_low}"))
    if spo2 < limits.spo2_low:
        found.append(("spo2", spo2, f"SpO2 {spo2}% < {limits.spo2_low}%"))
    return found


@dataclass(frozen=True)
class AlertRules:
    """What else raises an alert besides the value limits (issue 18): respiratory rate at or
    beyond its limits (inclusive), and the NEWS2 rule."""

    rr_at_or_below: int
    rr_at_or_above: int
    news2_single_3: bool
    news2_total_at_least: int


NEWS2_NAMES = {
    "respiratory_rate": "respiratory rate", "spo2": "SpO2", "air_or_oxygen": "oxygen",
    "systolic": "systolic", "pulse": "pulse", "consciousness": "consciousness",
    "temperature": "temperature",
}  # fmt: skip


def reading_breaches(
    *,
    systolic,
    diastolic,
    pulse,
    spo2,
    respiratory_rate,
    score,
    limits: Thresholds,
    rules: AlertRules,
    patient: dict | None = None,
) -> list[tuple]:
    """(parameter, value, limit, source, message) for every value out of range in one
    reading: the value limits, the respiratory rate (when taken) and the NEWS2 rule (when the
    set is complete). All of them go into one alert."""
    found = value_breaches(systolic=systolic, diastolic=diastolic, pulse=pulse, spo2=spo2,
                           limits=limits, patient=patient or {})  # fmt: skip
    if respiratory_rate is not None:
        if respiratory_rate <= rules.rr_at_or_below:
            found.append(
                (
                    "respiratory_rate",
                    respiratory_rate,
                    rules.rr_at_or_below,
                    "protocol",
                    f"RR {respiratory_rate} <= {rules.rr_at_or_below}",
                )
            )
        elif respiratory_rate >= rules.rr_at_or_above:
            found.append(
                (
                    "respiratory_rate",
                    respiratory_rate,
                    rules.rr_at_or_above,
                    "protocol",
                    f"RR {respiratory_rate} >= {rules.rr_at_or_above}",
                )
            )
    if score is not None:
        threes = [NEWS2_NAMES[name] for name, points in score.parts.items() if points == 3]
        if score.total >= rules.news2_total_at_least:
            found.append(
                (
                    "news2",
                    score.total,
                    rules.news2_total_at_least,
                    "news2",
                    f"NEWS2 {score.total} >= {rules.news2_total_at_least}",
                )
            )
        elif rules.news2_single_3 and threes:
            found.append(
                ("news2", score.total, None, "news2", f"NEWS2 3 points for {', '.join(threes)}")
            )
    return found  # fmt: skip


# (parameter, label, protocol limit, patient limit, above?, unit)
VALUE_LIMITS = (
    ("systolic", "Systolic", "systolic_high", "alert_systolic_above_mmhg", True, ""),
    ("systolic", "Systolic", "systolic_low", None, False, ""),
    ("diastolic", "Diastolic", "diastolic_high", "alert_diastolic_above_mmhg", True, ""),
    ("pulse", "Pulse", "pulse_high", "alert_pulse_above_bpm", True, ""),
    ("pulse", "Pulse", "pulse_low", "alert_pulse_below_bpm", False, ""),
    ("spo2", "SpO2", "spo2_low", "alert_spo2_below_percent", False, "%"),
)  # fmt: skip


def value_breaches(*, systolic, diastolic, pulse, spo2, limits: Thresholds, patient: dict):
    """The value limits: for each, the tighter of the protocol's and the patient's (from the
    physician's clearance, keyed by the Clearance field names), exclusive, and whose it is."""
    values = {"systolic": systolic, "diastolic": diastolic, "pulse": pulse, "spo2": spo2}
    found = []
    for parameter, label, own, theirs, above, unit in VALUE_LIMITS:
        limit, source = getattr(limits, own), "protocol"
        mine = patient.get(theirs) if theirs else None
        if mine is not None and (mine < limit if above else mine > limit):
            limit, source = mine, "clearance"
        value = values[parameter]
        if value > limit if above else value < limit:
            sign = ">" if above else "<"
            found.append((parameter, value, limit, source,
                          f"{label} {value}{unit} {sign} {limit}{unit}"
                          + (" (clearance)" if source == "clearance" else "")))  # fmt: skip
    return found


def news2_missing(*, respiratory_rate, spo2, systolic, pulse, consciousness, temperature_c):
    """The names of the parts a NEWS2 needs that this reading lacks (empty: it can be scored)."""
    parts = (
        ("respiratory rate", respiratory_rate), ("SpO2", spo2), ("systolic", systolic),
        ("pulse", pulse), ("consciousness (AVPU)", consciousness or None),
        ("temperature", temperature_c),
    )  # fmt: skip
    return [name for name, value in parts if value in (None, "")]


def impossible_vitals(*, systolic, diastolic, pulse, spo2, respiratory_rate=None) -> dict:
    """Values no living patient has: refused outright, whatever the nurse confirms."""
    problems = {}
    for name, value in (
        ("systolic_mmhg", systolic), ("diastolic_mmhg", diastolic), ("pulse_bpm", pulse),
        ("spo2_percent", spo2), ("respiratory_rate_per_min", respiratory_rate),
    ):  # fmt: skip
        if value is not None and value <= 0:
            problems[name] = "Must be a number above zero."
    if spo2 is not None and spo2 > 100:
        problems["spo2_percent"] = "SpO2 cannot be above 100%."
    if systolic and diastolic and diastolic > 0 and diastolic >= systolic:
        problems["diastolic_mmhg"] = "Diastolic must be below systolic: check the reading."
    return problems


def implausible_vitals(*, systolic, diastolic, pulse, spo2) -> list[str]:
    """Possible but unlikely values (a typo is more likely): need a confirmation tap."""
    found = []
    if systolic > 220 or systolic < 70:
        found.append(f"systolic {systolic}")
    if diastolic > 140 or diastolic < 30:
        found.append(f"diastolic {diastolic}")
    if pulse > 180 or pulse < 35:
        found.append(f"pulse {pulse}")
    if spo2 < 80:
        found.append(f"SpO2 {spo2}%")
    return found


def outside_baseline(baseline: dict, current: dict, percent: int = 20) -> list[str]:
    """Names of the values more than ``percent`` % away from their baseline value."""
    away = []
    for name, start in baseline.items():
        now = current.get(name)
        if start and now is not None and abs(now - start) * 100 > start * percent:
            away.append(name)
    return away


# --- Timed prompts -------------------------------------------------------------------------

BEFORE_START = {"checked_in", "pre_assessment", "ready"}
INFUSING = {"running", "paused"}
ENDED = {"stopped", "completed"}


def next_vitals_due(record, readings, now: datetime.datetime):
    """(due_at, overdue) for the next reading, or (None, False) when none is due.

    ``record`` has status, checked_in_at, started_at, ended_at and protocol_version (with
    vitals_interval_minutes, recovery_vitals_interval_minutes); ``readings`` are objects with
    taken_at and phase, not corrected. Baseline: due at check-in, overdue one interval later.
    Running: one interval after the later of the start and the last reading. At the end:
    due at the end. Recovery: one recovery interval after the last reading since the end.
    """
    version = record.protocol_version
    during = datetime.timedelta(minutes=version.vitals_interval_minutes)
    after = datetime.timedelta(minutes=version.recovery_vitals_interval_minutes)
    status = record.status
    if status in BEFORE_START:
        if any(reading.phase == "baseline" for reading in readings):
            return None, False
        return record.checked_in_at, now > record.checked_in_at + during
    if status in INFUSING:
        times = [r for r in readings if r.taken_at >= record.started_at]
        due = max([record.started_at, *(r.taken_at for r in times)]) + _interval(
            during, times, version
        )
        return due, now > due
    if status in ENDED or status == "recovery":
        since_end = [r.taken_at for r in readings if r.taken_at >= record.ended_at]
        if not since_end:
            return record.ended_at, now > record.ended_at + datetime.timedelta(minutes=5)
        if status in ENDED:
            return None, False
        later = [r for r in readings if r.taken_at >= record.ended_at]
        due = max(since_end) + _interval(after, later, version)
        return due, now > due
    return None, False


def _interval(usual: datetime.timedelta, readings, version) -> datetime.timedelta:
    """After a reading that raised an alert the next one falls due sooner (the protocol's
    post-alert interval, never later than usual) until a reading is back in range.
    ``readings`` may carry ``alerted`` (default False)."""
    if not readings:
        return usual
    last = max(readings, key=lambda r: r.taken_at)
    minutes = getattr(version, "post_alert_vitals_interval_minutes", None)
    if getattr(last, "alerted", False) and minutes:
        return min(usual, datetime.timedelta(minutes=minutes))
    return usual
