"""Outcome-measure arithmetic for a course of infusions: pain NRS, FIQR, 2016 ACR, PHQ-9.

Plain functions over plain values, so forms, services, exports and tests all share one
implementation and none of it needs a database.

Sources:
- FIQR: Bennett RM et al. The Revised Fibromyalgia Impact Questionnaire (FIQR): validation
  and psychometric properties. Arthritis Res Ther 2009;11(4):R120.
- ACR: Wolfe F et al. 2016 Revisions to the 2010/2011 fibromyalgia diagnostic criteria.
  Semin Arthritis Rheum 2016;46(3):319-329.
- PHQ-9: Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression
  severity measure. J Gen Intern Med 2001;16(9):606-613.
- Pain NRS: a 30% or 2-point drop is the usual clinically important change (Farrar JT et al.
  Pain 2001;94(2):149-158).

Every function validates its input and raises ScoringError, whose ``errors`` maps a form
field name (``item_4``, ``fatigue``, ``neck``...) to a message, ready for ``form.add_error``
or a 400 response.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum
from fractions import Fraction

TENTH = Decimal("0.1")


class ScoringError(ValueError):
    """Invalid input to a score; ``errors`` maps field name -> message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()))


def _whole_number_error(value: object, low: int, high: int | None = None) -> str | None:
    # bool is an int subclass; a stray True must not be read as a score of 1.
    if isinstance(value, bool) or not isinstance(value, int):
        return "Must be a whole number."
    if high is None:
        return f"Must be {low} or more." if value < low else None
    return f"Must be between {low} and {high}." if not low <= value <= high else None


def _to_tenths(value: Fraction) -> Decimal:
    with localcontext() as context:
        context.prec = 28
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(TENTH, rounding=ROUND_HALF_UP)


def _questionnaire_items(
    items: Sequence[int | None], *, count: int, high: int, allow_missing: bool
) -> list[int | None]:
    """Check a questionnaire's answers in order; errors are keyed ``item_1``... as on the form."""
    if isinstance(items, str | bytes) or not isinstance(items, Sequence):
        raise ScoringError({"items": f"Must be a list of {count} answers."})
    if len(items) != count:
        raise ScoringError({"items": f"Expected {count} answers, got {len(items)}."})
    errors = {}
    for number, answer in enumerate(items, start=1):
        if answer is None:
            if not allow_missing:
                errors[f"item_{number}"] = "This item must be answered."
        elif message := _whole_number_error(answer, 0, high):
            errors[f"item_{number}"] = message
    if errors:
        raise ScoringError(errors)
    return list(items)


# --- Pain NRS -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PainChange:
    before: int
    after: int
    drop: int  # negative when pain got worse
    percent_drop: Decimal | None  # None when there was no pain before: no baseline to divide by
    clinically_important: bool


def pain_nrs_change(before: int, after: int) -> PainChange:
    """Change in 0-10 pain score across one infusion (or a course)."""
    errors = {
        field: message
        for field, value in (("before", before), ("after", after))
        if (message := _whole_number_error(value, 0, 10))
    }
    if errors:
        raise ScoringError(errors)
    drop = before - after
    if before == 0:
        return PainChange(before, after, drop, None, clinically_important=False)
    # Compare in integers so a 29.96% drop never rounds its way up to "important".
    important = drop >= 2 or drop * 100 >= 30 * before
    return PainChange(before, after, drop, _to_tenths(Fraction(drop * 100, before)), important)


# --- FIQR ---------------------------------------------------------------------------------

FIQR_ITEM_COUNT = 21
FIQR_FUNCTION = "function"
FIQR_OVERALL_IMPACT = "overall_impact"
FIQR_SYMPTOMS = "symptoms"
# (domain, first item, last item, divisor): the divisors weight the domains 30 / 20 / 50.
FIQR_DOMAINS = (
    (FIQR_FUNCTION, 1, 9, 3),
    (FIQR_OVERALL_IMPACT, 10, 11, 1),
    (FIQR_SYMPTOMS, 12, 21, 2),
)


@dataclass(frozen=True)
class FiqrScore:
    """Weighted domain scores (0-30, 0-20, 0-50) and total (0-100), or None if not computable.

    The total is summed from the unrounded domains, so it can differ by 0.1 from the sum of
    the rounded domain scores shown beside it.
    """

    function: Decimal | None
    overall_impact: Decimal | None
    symptoms: Decimal | None
    total: Decimal | None
    prorated_domains: tuple[str, ...]
    problems: tuple[str, ...]


def fiqr_score(items: Sequence[int | None]) -> FiqrScore:
    """Score the 21 FIQR answers (0-10, None for unanswered), in questionnaire order."""
    answers = _questionnaire_items(items, count=FIQR_ITEM_COUNT, high=10, allow_missing=True)
    weighted: dict[str, Fraction | None] = {}
    prorated, problems = [], []
    for domain, first, last, divisor in FIQR_DOMAINS:
        size = last - first + 1
        answered = [a for a in answers[first - 1 : last] if a is not None]
        missing = [f"item_{n}" for n in range(first, last + 1) if answers[n - 1] is None]
        if len(missing) > 1:
            weighted[domain] = None
            problems.append(
                f"{domain.replace('_', ' ')}: {len(missing)} of {size} items unanswered "
                f"({', '.join(missing)}); only one can be prorated, so the FIQR total "
                "cannot be computed."
            )
            continue
        if missing:
            prorated.append(domain)
        # Prorating = mean of the answered items x domain size; Fraction keeps it exact
        # until the one rounding at the end.
        weighted[domain] = Fraction(sum(answered) * size, len(answered) * divisor)
    scores = {d: None if w is None else _to_tenths(w) for d, w in weighted.items()}
    parts = list(weighted.values())
    total = None if None in parts else _to_tenths(sum(parts, Fraction(0)))
    return FiqrScore(
        **scores, total=total, prorated_domains=tuple(prorated), problems=tuple(problems)
    )


# --- 2016 ACR fibromyalgia criteria -------------------------------------------------------

JAW_LEFT = "jaw_left"
SHOULDER_GIRDLE_LEFT = "shoulder_girdle_left"
UPPER_ARM_LEFT = "upper_arm_left"
LOWER_ARM_LEFT = "lower_arm_left"
JAW_RIGHT = "jaw_right"
SHOULDER_GIRDLE_RIGHT = "shoulder_girdle_right"
UPPER_ARM_RIGHT = "upper_arm_right"
LOWER_ARM_RIGHT = "lower_arm_right"
HIP_LEFT = "hip_left"  # hip, buttock, trochanter
UPPER_LEG_LEFT = "upper_leg_left"
LOWER_LEG_LEFT = "lower_leg_left"
HIP_RIGHT = "hip_right"
UPPER_LEG_RIGHT = "upper_leg_right"
LOWER_LEG_RIGHT = "lower_leg_right"
NECK = "neck"
UPPER_BACK = "upper_back"
LOWER_BACK = "lower_back"
CHEST = "chest"
ABDOMEN = "abdomen"

LEFT_UPPER_REGION = "left_upper"
RIGHT_UPPER_REGION = "right_upper"
LEFT_LOWER_REGION = "left_lower"
RIGHT_LOWER_REGION = "right_lower"
AXIAL_REGION = "axial"

PAIN_REGIONS: dict[str, tuple[str, ...]] = {
    LEFT_UPPER_REGION: (JAW_LEFT, SHOULDER_GIRDLE_LEFT, UPPER_ARM_LEFT, LOWER_ARM_LEFT),
    RIGHT_UPPER_REGION: (JAW_RIGHT, SHOULDER_GIRDLE_RIGHT, UPPER_ARM_RIGHT, LOWER_ARM_RIGHT),
    LEFT_LOWER_REGION: (HIP_LEFT, UPPER_LEG_LEFT, LOWER_LEG_LEFT),
    RIGHT_LOWER_REGION: (HIP_RIGHT, UPPER_LEG_RIGHT, LOWER_LEG_RIGHT),
    AXIAL_REGION: (NECK, UPPER_BACK, LOWER_BACK, CHEST, ABDOMEN),
}
PAIN_AREAS: tuple[str, ...] = tuple(area for areas in PAIN_REGIONS.values() for area in areas)
# Wolfe 2016: these count toward the WPI but not toward generalized pain.
NOT_GENERALIZED_PAIN_AREAS = frozenset({JAW_LEFT, JAW_RIGHT, CHEST, ABDOMEN})

SSS_SEVERITY_FIELDS = ("fatigue", "waking_unrefreshed", "cognitive_symptoms")
SSS_YES_NO_FIELDS = ("headaches", "lower_abdominal_pain", "depression")
MIN_SYMPTOM_MONTHS = 3
MIN_GENERALIZED_PAIN_REGIONS = 4


@dataclass(frozen=True)
class AcrCriteria:
    painful_areas: frozenset[str]
    wpi: int  # widespread pain index, 0-19
    sss: int  # symptom severity scale, 0-12
    fibromyalgia_severity: int  # FS = WPI + SSS, 0-31
    regions_with_pain: tuple[str, ...]  # in PAIN_REGIONS order
    generalized_pain: bool
    symptoms_three_months: bool
    criteria_met: bool
    reasons: tuple[str, ...]  # one line per criterion, met or not


def _painful_area_set(painful_areas: Iterable[str] | Mapping[str, bool]) -> frozenset[str]:
    """Accept either the ticked area names or the form's ``{area: bool}`` cleaned data."""
    if isinstance(painful_areas, str | bytes):
        raise ScoringError({"painful_areas": "Must be a collection of pain area names."})
    errors = {}
    if isinstance(painful_areas, Mapping):
        for area, ticked in painful_areas.items():
            if not isinstance(ticked, bool):
                errors[str(area)] = "Must be yes or no."
        names = [area for area, ticked in painful_areas.items() if ticked is True]
    else:
        names = list(painful_areas)
    unknown = sorted(str(name) for name in names if name not in PAIN_AREAS)
    if unknown:
        errors["painful_areas"] = f"Unknown pain area: {', '.join(unknown)}."
    if errors:
        raise ScoringError(errors)
    return frozenset(names)


def _check_acr_symptoms(
    severities: Mapping[str, object], yes_no: Mapping[str, object], months: object
) -> None:
    errors = {
        field: message
        for field, value in severities.items()
        if (message := _whole_number_error(value, 0, 3))
    }
    errors |= {
        field: "Must be yes or no." for field, v in yes_no.items() if not isinstance(v, bool)
    }
    if message := _whole_number_error(months, 0):
        errors["symptom_duration_months"] = message
    if errors:
        raise ScoringError(errors)


def regions_with_pain(areas: Iterable[str]) -> tuple[str, ...]:
    """Regions, in PAIN_REGIONS order, with pain anywhere other than jaw, chest or abdomen."""
    counted = set(areas) - NOT_GENERALIZED_PAIN_AREAS
    return tuple(region for region, members in PAIN_REGIONS.items() if counted & set(members))


def _wpi_and_sss_met(wpi: int, sss: int) -> bool:
    return (wpi >= 7 and sss >= 5) or (4 <= wpi <= 6 and sss >= 9)


def _acr_reasons(wpi: int, sss: int, regions: tuple[str, ...], months: int) -> tuple[str, ...]:
    severity_met = _wpi_and_sss_met(wpi, sss)
    return (
        f"WPI {wpi}, SSS {sss}: "
        + ("meets" if severity_met else "does not meet")
        + " WPI >= 7 with SSS >= 5, or WPI 4-6 with SSS >= 9.",
        f"Pain in {len(regions)} of 5 regions (jaw, chest and abdomen not counted): "
        + ("generalized." if len(regions) >= MIN_GENERALIZED_PAIN_REGIONS else "not generalized."),
        f"Symptoms for {months} months: "
        + ("at least 3." if months >= MIN_SYMPTOM_MONTHS else "fewer than the 3 needed."),
    )


def acr_2016_criteria(
    *,
    painful_areas: Iterable[str] | Mapping[str, bool],
    fatigue: int,
    waking_unrefreshed: int,
    cognitive_symptoms: int,
    headaches: bool,
    lower_abdominal_pain: bool,
    depression: bool,
    symptom_duration_months: int,
) -> AcrCriteria:
    """Apply the 2016 criteria. Severities are 0-3; the yes/no symptoms cover the past 6 months.

    Per Wolfe 2016 the diagnosis stands irrespective of other diagnoses, so nothing here
    excludes a patient for another condition.
    """
    areas = _painful_area_set(painful_areas)
    severities = {
        "fatigue": fatigue,
        "waking_unrefreshed": waking_unrefreshed,
        "cognitive_symptoms": cognitive_symptoms,
    }
    yes_no = {
        "headaches": headaches,
        "lower_abdominal_pain": lower_abdominal_pain,
        "depression": depression,
    }
    _check_acr_symptoms(severities, yes_no, symptom_duration_months)

    wpi = len(areas)
    sss = sum(severities.values()) + sum(yes_no.values())
    regions = regions_with_pain(areas)
    severity_met = _wpi_and_sss_met(wpi, sss)
    generalized = len(regions) >= MIN_GENERALIZED_PAIN_REGIONS
    long_enough = symptom_duration_months >= MIN_SYMPTOM_MONTHS
    return AcrCriteria(
        painful_areas=areas,
        wpi=wpi,
        sss=sss,
        fibromyalgia_severity=wpi + sss,
        regions_with_pain=regions,
        generalized_pain=generalized,
        symptoms_three_months=long_enough,
        criteria_met=severity_met and generalized and long_enough,
        reasons=_acr_reasons(wpi, sss, regions, symptom_duration_months),
    )


# --- PHQ-9 --------------------------------------------------------------------------------

PHQ9_ITEM_COUNT = 9


class Phq9Band(StrEnum):
    MINIMAL = "minimal"
    MILD = "mild"
    MODERATE = "moderate"
    MODERATELY_SEVERE = "moderately_severe"
    SEVERE = "severe"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


# (lowest total, band), highest first so the first match wins.
PHQ9_BANDS = (
    (20, Phq9Band.SEVERE),
    (15, Phq9Band.MODERATELY_SEVERE),
    (10, Phq9Band.MODERATE),
    (5, Phq9Band.MILD),
    (0, Phq9Band.MINIMAL),
)


@dataclass(frozen=True)
class Phq9Score:
    total: int  # 0-27
    band: Phq9Band
    # Item 9 (thoughts of self-harm): any non-zero answer needs same-day follow-up,
    # whatever the total, so it is never folded into the band.
    item9_positive: bool


def phq9_band(total: int) -> Phq9Band:
    if message := _whole_number_error(total, 0, 27):
        raise ScoringError({"total": message})
    return next(band for lowest, band in PHQ9_BANDS if total >= lowest)


def phq9_score(items: Sequence[int]) -> Phq9Score:
    """Score the 9 PHQ-9 answers (0-3 each), in questionnaire order; all must be answered."""
    answers = _questionnaire_items(items, count=PHQ9_ITEM_COUNT, high=3, allow_missing=False)
    total = sum(answers)
    return Phq9Score(total=total, band=phq9_band(total), item9_positive=answers[8] > 0)
