"""Ketamine dose arithmetic: weight -> dose -> drawn-up volume -> pump rate.

Plain functions over plain values (no Django, no ORM), so that every number a nurse sees can
be re-derived by hand and checked by property tests. Ketamine is an ISMP high-alert
medication, hence:

- all arithmetic is in ``decimal.Decimal``; a float is refused rather than converted, because
  ``Decimal(0.1)`` would carry the float's binary error into the dose;
- every rounding rule is stated on the result (``DoseCalculation.rounding_rules``);
- the dose is rounded down to the protocol step, never up;
- a limit is reported, never enforced by quietly changing the dose: the screen shows the
  computed dose beside the limit it meets, and the soft/hard policy decides what happens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Literal

from patients.units import lb_to_kg

DRAW_VOLUME_STEP_ML = Decimal("0.01")
CONCENTRATION_STEP_MG_PER_ML = Decimal("0.001")
PUMP_RATE_STEP_ML_PER_H = Decimal("0.1")
DOSE_RATE_STEP_MG_PER_KG_PER_H = Decimal("0.01")

# Two orders of magnitude above any human: such a number is a typing error with no dose to
# show, and refusing it keeps the arithmetic inside Decimal's 28-digit default context.
IMPLAUSIBLE_WEIGHT_KG = Decimal("10000")

WEIGHT_OUT_OF_RANGE = "weight_out_of_range"
DOSE_ABOVE_SOFT_MAX = "dose_above_soft_max"
DOSE_ABOVE_HARD_MAX = "dose_above_hard_max"

_POSITIVE_DECIMAL_RULES = (
    "mg_per_kg",
    "rounding_step_mg",
    "soft_max_mg",
    "hard_max_mg",
    "min_weight_kg",
    "max_weight_kg",
    "bag_volume_ml",
)


class DoseInputError(ValueError):
    """An input with no dose to show; ``errors`` maps field name -> message.

    A LimitHit is a dose that can be computed but needs a decision; this is an input the
    calculation cannot use at all. Views turn ``errors`` into field errors (form or 400).
    """

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{name}: {message}" for name, message in self.errors.items()))


def _require_decimal(name: str, value: object) -> Decimal:
    """Return ``value`` if it is a finite Decimal.

    Raises TypeError for any other type (a float is a programming error, not a nurse's
    typing error) and DoseInputError for NaN or infinity.
    """
    if isinstance(value, float):
        raise TypeError(
            f"{name} must be a decimal.Decimal, not a float ({value!r}): a float cannot hold a "
            f"dose exactly. Build it from text, e.g. Decimal('{value}')."
        )
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a decimal.Decimal, not {type(value).__name__}.")
    if not value.is_finite():
        raise DoseInputError({name: "must be a finite number."})
    return value


def pounds_to_kg(pounds: Decimal) -> Decimal:
    """Convert a pound entry to kilograms, once: 154 lb -> 69.85 kg.

    1 lb = 0.45359237 kg exactly; the result is rounded half up to 0.01 kg. Only the type is
    checked here; whether the weight is plausible is for ``calculate_dose`` to say.
    """
    pounds = _require_decimal("weight_lb", pounds)
    return lb_to_kg(pounds)  # the one converter, shared with weight entry at intake


def round_down_to_step(amount: Decimal, step: Decimal) -> Decimal:
    """The largest multiple of ``step`` that is not above ``amount`` (35.09, 0.1 -> 35.0).

    Works for steps that are not powers of ten (0.25, 2.5) as well; the result carries the
    step's decimal places.
    """
    whole_steps = (amount / step).to_integral_value(rounding=ROUND_FLOOR)
    return (whole_steps * step).quantize(step)


@dataclass(frozen=True)
class DoseRules:
    """The dosing rules of one protocol version, as plain values.

    Defaults are the seed protocol (0.5 mg/kg over 40 minutes = 0.75 mg/kg/h); the medical
    director's protocol versions supply the real ones. Weights in kg, doses in mg, volumes
    in mL, concentrations in mg/mL, minutes as a whole number. Inconsistent rules raise
    DoseInputError keyed by the rule's name; a float raises TypeError.
    """

    mg_per_kg: Decimal = Decimal("0.5")
    infusion_minutes: int = 40
    rounding_step_mg: Decimal = Decimal("0.1")
    soft_max_mg: Decimal = Decimal("60")
    hard_max_mg: Decimal = Decimal("100")
    min_weight_kg: Decimal = Decimal("30")
    max_weight_kg: Decimal = Decimal("300")
    bag_volume_ml: Decimal = Decimal("100")
    allowed_vial_mg_per_ml: tuple[Decimal, ...] = (Decimal("10"), Decimal("50"), Decimal("100"))
    # 100 mg/mL must be diluted before IV use. Drawing it into a bag is that dilution, so it
    # may be used for bag preparation, and the calculation carries a note saying so.
    vial_needs_dilution: tuple[Decimal, ...] = (Decimal("100"),)

    def __post_init__(self) -> None:
        errors = {
            name: "must be greater than zero."
            for name in _POSITIVE_DECIMAL_RULES
            if _require_decimal(name, getattr(self, name)) <= 0
        }
        minutes = self.infusion_minutes
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            raise TypeError(f"infusion_minutes must be an int, not {type(minutes).__name__}.")
        if minutes <= 0:
            errors["infusion_minutes"] = "must be greater than zero."
        for name in ("allowed_vial_mg_per_ml", "vial_needs_dilution"):
            # A protocol row may hand over a list; freeze it so the rules stay immutable.
            concentrations = tuple(_require_decimal(name, c) for c in getattr(self, name))
            object.__setattr__(self, name, concentrations)
            if any(c <= 0 for c in concentrations):
                errors[name] = "every concentration must be greater than zero."
        if not self.allowed_vial_mg_per_ml:
            errors["allowed_vial_mg_per_ml"] = "the protocol must allow at least one vial."
        if self.soft_max_mg > self.hard_max_mg:
            errors["soft_max_mg"] = "must not be above the hard maximum dose."
        if self.min_weight_kg >= self.max_weight_kg:
            errors["min_weight_kg"] = "must be below the maximum weight."
        if errors:
            raise DoseInputError(errors)


@dataclass(frozen=True)
class LimitHit:
    """A drug-library limit the calculation met.

    ``soft``: may be given with a recorded override reason. ``hard``: may not be given.
    ``code`` is one of WEIGHT_OUT_OF_RANGE, DOSE_ABOVE_SOFT_MAX, DOSE_ABOVE_HARD_MAX.
    """

    kind: Literal["soft", "hard"]
    code: str
    message: str


@dataclass(frozen=True)
class DoseCalculation:
    """Everything the dose screen and the pump need, with the rules that produced it."""

    weight_kg: Decimal
    dose_mg: Decimal
    dose_rate_mg_per_kg_per_h: Decimal
    vial_mg_per_ml: Decimal
    draw_volume_ml: Decimal
    bag_volume_ml: Decimal
    final_concentration_mg_per_ml: Decimal
    pump_rate_ml_per_h: Decimal
    volume_to_infuse_ml: Decimal
    infusion_minutes: int
    limits: tuple[LimitHit, ...]
    rounding_rules: dict[str, str] = field(hash=False)
    notes: tuple[str, ...]

    @property
    def has_hard_limit(self) -> bool:
        return any(hit.kind == "hard" for hit in self.limits)

    @property
    def has_soft_limit(self) -> bool:
        return any(hit.kind == "soft" for hit in self.limits)


def calculate_dose(
    *, weight_kg: Decimal, rules: DoseRules, vial_mg_per_ml: Decimal
) -> DoseCalculation:
    """Derive dose, drawn-up volume and pump rate for one infusion under ``rules``.

    Dose = weight x mg/kg, rounded down to ``rules.rounding_step_mg``. The dose is never
    capped: a dose above a maximum, or a weight outside the protocol's range, is returned
    as computed with a LimitHit so the screen can show both. Raises DoseInputError (fields
    ``weight_kg``, ``vial_mg_per_ml``) when there is no dose to show, TypeError for a float.
    """
    _check_inputs(weight_kg=weight_kg, rules=rules, vial_mg_per_ml=vial_mg_per_ml)
    unrounded_mg = weight_kg * rules.mg_per_kg
    dose_mg = round_down_to_step(unrounded_mg, rules.rounding_step_mg)
    draw_volume_ml = (dose_mg / vial_mg_per_ml).quantize(
        DRAW_VOLUME_STEP_ML, rounding=ROUND_HALF_UP
    )
    # Clinic convention: the drug is added to the bag and the pump is programmed with the
    # labelled bag volume, so the drawn-up volume is reported but not added. This is what
    # makes the DOMAIN worked example hold: 35 mg in a 100 mL bag over 40 min = 150 mL/h
    # (adding the 0.7 mL would give 151.1 mL/h).
    volume_to_infuse_ml = rules.bag_volume_ml
    minutes = rules.infusion_minutes
    # Multiply by 60 before dividing by minutes: minutes/60 is a repeating decimal for most
    # durations (35 min = 0.5833... h) and would add a rounding step of its own.
    return DoseCalculation(
        weight_kg=weight_kg,
        dose_mg=dose_mg,
        dose_rate_mg_per_kg_per_h=(rules.mg_per_kg * 60 / minutes).quantize(
            DOSE_RATE_STEP_MG_PER_KG_PER_H, rounding=ROUND_HALF_UP
        ),
        vial_mg_per_ml=vial_mg_per_ml,
        draw_volume_ml=draw_volume_ml,
        bag_volume_ml=rules.bag_volume_ml,
        final_concentration_mg_per_ml=(dose_mg / volume_to_infuse_ml).quantize(
            CONCENTRATION_STEP_MG_PER_ML, rounding=ROUND_HALF_UP
        ),
        pump_rate_ml_per_h=(volume_to_infuse_ml * 60 / minutes).quantize(
            PUMP_RATE_STEP_ML_PER_H, rounding=ROUND_HALF_UP
        ),
        volume_to_infuse_ml=volume_to_infuse_ml,
        infusion_minutes=minutes,
        limits=_limit_hits(weight_kg=weight_kg, unrounded_mg=unrounded_mg, rules=rules),
        rounding_rules=_rounding_rules(rules),
        notes=_preparation_notes(
            rules=rules, vial_mg_per_ml=vial_mg_per_ml, draw_volume_ml=draw_volume_ml
        ),
    )


def _check_inputs(*, weight_kg: object, rules: object, vial_mg_per_ml: object) -> None:
    """Raise TypeError for wrong types, DoseInputError (all bad fields at once) for values."""
    if not isinstance(rules, DoseRules):
        raise TypeError(f"rules must be DoseRules, not {type(rules).__name__}.")
    errors = {}
    try:
        weight_kg = _require_decimal("weight_kg", weight_kg)
    except DoseInputError as error:
        errors.update(error.errors)
    else:
        if weight_kg <= 0:
            errors["weight_kg"] = "Weight must be greater than zero kg."
        elif weight_kg >= IMPLAUSIBLE_WEIGHT_KG:
            errors["weight_kg"] = f"{weight_kg} kg is not a body weight; check the entry."
    try:
        vial_mg_per_ml = _require_decimal("vial_mg_per_ml", vial_mg_per_ml)
    except DoseInputError as error:
        errors.update(error.errors)
    else:
        if vial_mg_per_ml not in rules.allowed_vial_mg_per_ml:
            allowed = ", ".join(f"{c} mg/mL" for c in rules.allowed_vial_mg_per_ml)
            errors["vial_mg_per_ml"] = (
                f"{vial_mg_per_ml} mg/mL is not a vial this protocol allows ({allowed})."
            )
    if errors:
        raise DoseInputError(errors)


def _limit_hits(
    *, weight_kg: Decimal, unrounded_mg: Decimal, rules: DoseRules
) -> tuple[LimitHit, ...]:
    """The limits met, hard before soft.

    Dose limits are judged on the unrounded dose: a computed 60.05 mg is above a 60 mg soft
    maximum even though rounding down would make it 60.0. Above the hard maximum only the
    hard hit is reported; it cannot be overridden, so a soft override prompt would be noise.
    """
    hits = []
    if not rules.min_weight_kg <= weight_kg <= rules.max_weight_kg:
        hits.append(
            LimitHit(
                kind="hard",
                code=WEIGHT_OUT_OF_RANGE,
                message=(
                    f"Weight {weight_kg} kg is outside this protocol's range "
                    f"({rules.min_weight_kg}-{rules.max_weight_kg} kg). Re-weigh the patient "
                    "and check the weight was entered in kg, not lb."
                ),
            )
        )
    computed = f"{weight_kg} kg x {rules.mg_per_kg} mg/kg = {unrounded_mg} mg"
    if unrounded_mg > rules.hard_max_mg:
        hits.append(
            LimitHit(
                kind="hard",
                code=DOSE_ABOVE_HARD_MAX,
                message=(
                    f"{computed}, above the hard maximum of {rules.hard_max_mg} mg. "
                    "This dose cannot be given."
                ),
            )
        )
    elif unrounded_mg > rules.soft_max_mg:
        hits.append(
            LimitHit(
                kind="soft",
                code=DOSE_ABOVE_SOFT_MAX,
                message=(
                    f"{computed}, above the soft maximum of {rules.soft_max_mg} mg. Check the "
                    "weight was entered in kg, not lb; give only with a recorded reason."
                ),
            )
        )
    return tuple(hits)


def _rounding_rules(rules: DoseRules) -> dict[str, str]:
    return {
        "weight_kg": "as entered; a pound entry is converted once, half up to 0.01 kg",
        "dose_mg": f"rounded down to the protocol step ({rules.rounding_step_mg} mg)",
        "dose_limits": "judged on the unrounded dose (weight x mg/kg)",
        "dose_rate_mg_per_kg_per_h": "mg/kg x 60 / minutes, half up to 0.01 mg/kg/h",
        "draw_volume_ml": "dose / vial concentration, half up to 0.01 mL",
        "volume_to_infuse_ml": (
            "the labelled bag volume; the drawn-up volume is added to the bag, not to the "
            "volume programmed (clinic convention)"
        ),
        "final_concentration_mg_per_ml": "dose / volume to infuse, half up to 0.001 mg/mL",
        "pump_rate_ml_per_h": "volume to infuse x 60 / minutes, half up to 0.1 mL/h",
    }


def _preparation_notes(
    *, rules: DoseRules, vial_mg_per_ml: Decimal, draw_volume_ml: Decimal
) -> tuple[str, ...]:
    if vial_mg_per_ml not in rules.vial_needs_dilution:
        return ()
    return (
        f"{vial_mg_per_ml} mg/mL ketamine must be diluted before IV use: add the "
        f"{draw_volume_ml} mL to the {rules.bag_volume_ml} mL bag; never give it undiluted.",
    )
