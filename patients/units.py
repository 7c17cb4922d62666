"""Weight units. Storage is kg only; a pound entry is converted once, here."""

from decimal import ROUND_HALF_UP, Decimal

KG_PER_LB = Decimal("0.45359237")  # exact, by international agreement (1959)
KG_STEP = Decimal("0.01")
LB_STEP = Decimal("0.1")


def lb_to_kg(pounds: Decimal) -> Decimal:
    """154 lb -> 69.85 kg (rounded half up to 0.01 kg)."""
    if not isinstance(pounds, Decimal):
        raise TypeError("Weights are Decimals, never floats.")
    return (pounds * KG_PER_LB).quantize(KG_STEP, rounding=ROUND_HALF_UP)


def kg_to_lb(kilograms: Decimal) -> Decimal:
    """For display beside the kg value only; never stored."""
    if not isinstance(kilograms, Decimal):
        raise TypeError("Weights are Decimals, never floats.")
    return (kilograms / KG_PER_LB).quantize(LB_STEP, rounding=ROUND_HALF_UP)
