"""Whether a course is working, as plain arithmetic over scores (no ORM): the pain response,
the FIQR change against its MCID, and the relief that has waned (a booster candidate).

Sources (DOMAIN.md, "Patient-reported outcomes"):
- Pain: IMMPACT (Dworkin RH et al. J Pain 2008;9(2):105-121): a 30% drop from baseline is
  moderately important, 50% substantial. A "responder" has >= 30% less pain at the end of
  the course than at baseline.
- FIQR: a 14% drop is the minimal clinically important difference (Bennett RM et al.
  Arthritis Res Ther 2009;11(4):R120).

Every comparison is made in exact ``Decimal`` arithmetic on the stored scores
(``drop * 100 >= 30 * baseline``), so a 29.96% drop never rounds its way up to "responder";
the percentages shown are rounded half up to one decimal afterwards.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from django.utils.translation import gettext as _

RESPONDER_PERCENT = 30  # IMMPACT: moderately important
SUBSTANTIAL_PERCENT = 50  # IMMPACT: substantial
FIQR_MCID_PERCENT = 14  # Bennett 2009
# Relief has waned when a follow-up pain score is back within this many percent of the
# course's baseline (or above it): the patient is offered a booster infusion.
BOOSTER_WITHIN_PERCENT = 20
TENTH = Decimal("0.1")


def _number(value) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, float):
        raise TypeError("Scores are Decimal or int, never float.")
    return Decimal(value)


def reaches(baseline, latest, percent: int) -> bool:
    """Whether ``latest`` is at least ``percent`` % below ``baseline`` (exactly; a baseline
    of zero can fall no further)."""
    baseline, latest = _number(baseline), _number(latest)
    if baseline is None or latest is None or baseline <= 0:
        return False
    return (baseline - latest) * 100 >= percent * baseline


@dataclass(frozen=True)
class Change:
    """A score's change from baseline. ``points``: latest minus baseline (negative is better
    for pain, FIQR and PHQ-9); ``percent``: the reduction in % of baseline, one decimal
    (positive is better; None without a baseline above zero)."""

    baseline: Decimal | None
    latest: Decimal | None

    @property
    def known(self) -> bool:
        return self.baseline is not None and self.latest is not None

    @property
    def points(self) -> Decimal | None:
        return self.latest - self.baseline if self.known else None

    @property
    def percent(self) -> Decimal | None:
        if not self.known or self.baseline <= 0:
            return None
        exact = (self.baseline - self.latest) * 100 / self.baseline
        return exact.quantize(TENTH, rounding=ROUND_HALF_UP)


def change(baseline, latest) -> Change:
    return Change(_number(baseline), _number(latest))


class PainStatus(StrEnum):
    RESPONDER = "responder"
    NOT_RESPONDING = "not_responding"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        # In the active language (the patient's letter may be in Spanish).
        return {
            PainStatus.RESPONDER: _("Responder (pain down %(percent)s%% or more)"),
            PainStatus.NOT_RESPONDING: _("Not a responder (pain down less than %(percent)s%%)"),
            PainStatus.UNKNOWN: _("Not known yet"),
        }[self] % {"percent": RESPONDER_PERCENT}


@dataclass(frozen=True)
class PainResponse:
    change: Change
    status: PainStatus
    substantial: bool  # >= 50% less pain
    why_unknown: str = ""


def pain_response(baseline, latest) -> PainResponse:
    """Responder status from the baseline pain (before the first infusion) and the latest
    (after the last infusion given)."""
    moved = change(baseline, latest)
    if moved.baseline is None:
        return PainResponse(moved, PainStatus.UNKNOWN, False, "No baseline pain score.")
    if moved.latest is None:
        return PainResponse(moved, PainStatus.UNKNOWN, False, "No pain score after an infusion.")
    if moved.baseline == 0:
        return PainResponse(moved, PainStatus.UNKNOWN, False, "No pain at baseline.")
    responder = reaches(moved.baseline, moved.latest, RESPONDER_PERCENT)
    status = PainStatus.RESPONDER if responder else PainStatus.NOT_RESPONDING
    return PainResponse(moved, status, reaches(moved.baseline, moved.latest, SUBSTANTIAL_PERCENT))


def fiqr_meets_mcid(baseline, latest) -> bool | None:
    """Whether FIQR fell by the 14% MCID or more; None when it cannot be said."""
    moved = change(baseline, latest)
    if not moved.known or moved.baseline <= 0:
        return None
    return reaches(moved.baseline, moved.latest, FIQR_MCID_PERCENT)


def relief_has_waned(baseline, follow_up) -> bool:
    """Whether a follow-up pain score is back within 20% of the course's baseline (or above
    it): ``follow_up >= 80% of baseline``, exactly. No baseline pain, no booster."""
    baseline, follow_up = _number(baseline), _number(follow_up)
    if baseline is None or follow_up is None or baseline <= 0:
        return False
    return follow_up * 100 >= (100 - BOOSTER_WITHIN_PERCENT) * baseline
