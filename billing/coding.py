"""Procedure codes of an IV infusion from its charted minutes (CPT rules as DOMAIN.md gives
them): 96365 for the first hour when the infusion ran more than 15 minutes; +96366 for each
additional hour, an hour counting once more than 30 minutes of it have run. Plain functions."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

INITIAL_HOUR = "96365"
ADDITIONAL_HOUR = "96366"
DRUG_UNCLASSIFIED = "J3490"


@dataclass(frozen=True)
class CodedLine:
    code: str
    units: int
    description: str


def infusion_minutes(started_at: datetime.datetime, ended_at: datetime.datetime) -> int:
    """Whole minutes from start to stop (a partial minute does not count)."""
    return int((ended_at - started_at).total_seconds() // 60)


def additional_hours(minutes: int) -> int:
    """Units of +96366: each full hour beyond the first, and a last part over 30 minutes."""
    beyond = minutes - 60
    if beyond <= 0:
        return 0
    return beyond // 60 + (1 if beyond % 60 > 30 else 0)


def infusion_codes(minutes: int, *, mg_given: Decimal | None, ndc: str) -> list[CodedLine]:
    """The superbill's procedure and drug lines for one infusion of ``minutes``; none when it
    ran 15 minutes or less (then it is not billed as an infusion)."""
    if minutes <= 15:
        return []
    lines = [CodedLine(INITIAL_HOUR, 1, "IV infusion, therapeutic, initial, up to 1 hour")]
    if extra := additional_hours(minutes):
        lines.append(CodedLine(ADDITIONAL_HOUR, extra, "IV infusion, each additional hour"))
    drug = "Ketamine HCl (unclassified drug)"
    if mg_given is not None:
        drug += f", {mg_given.normalize():f} mg given"
    if ndc:
        drug += f", NDC {ndc}"
    lines.append(CodedLine(DRUG_UNCLASSIFIED, 1, drug))
    return lines
