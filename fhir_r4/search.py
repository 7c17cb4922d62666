"""Search parameters: which each resource type takes, and their values checked.

A parameter the server does not know, or a value it cannot read, is a 400
(OperationOutcome naming it) rather than being ignored: a client that filters by date and
silently gets everything could act on the wrong rows.
"""

import datetime
import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from rest_framework.exceptions import ParseError

from clinic.api import id_param

PAGING = ("_count", "_offset")
DEFAULT_COUNT = 50
MAX_COUNT = 200

PARAMETERS = {
    "Patient": ("_id", "identifier", "name", "family", "given", "birthdate", "gender"),
    "Observation": ("patient", "date", "category", "code"),
    "Appointment": ("patient", "date", "status"),
    "Encounter": ("patient", "date"),
    "MedicationAdministration": ("patient",),
    "QuestionnaireResponse": ("patient",),
}
DESCRIPTIONS = {
    "_id": "The patient's id",
    "identifier": "The medical record number (value, or system|value)",
    "name": "Start of the legal first, last or preferred name",
    "family": "Start of the legal last name",
    "given": "Start of the legal first or preferred name",
    "birthdate": "Date of birth (eq, ge, le, gt, lt prefixes)",
    "gender": "female, male, other or unknown",
    "patient": "The patient (123 or Patient/123); required",
    "date": "When (eq, ge, le, gt, lt prefixes; a day is the clinic's local day); repeatable",
    "category": "vital-signs or survey",
    "code": "LOINC code (code, or http://loinc.org|code; commas for alternatives)",
    "status": "booked, checked-in, arrived, fulfilled, cancelled or noshow",
}
TYPES = {"_id": "token", "identifier": "token", "name": "string", "family": "string",
         "given": "string", "birthdate": "date", "gender": "token", "patient": "reference",
         "date": "date", "category": "token", "code": "token", "status": "token"}  # fmt: skip


class SearchError(ParseError):
    """A 400 (as OperationOutcome, code ``invalid``)."""


def check_names(resource_type: str, params) -> None:
    known = set(PARAMETERS[resource_type]) | set(PAGING) | {"_format"}
    unknown = sorted(set(params) - known)
    if unknown:
        raise SearchError(
            f"Unknown search parameter for {resource_type}: {', '.join(unknown)}. "
            f"Supported: {', '.join(PARAMETERS[resource_type])}, _count, _offset."
        )


def check_names_for_operation(params) -> None:
    unknown = sorted(set(params) - {"_format"})
    if unknown:
        raise SearchError(f"Unknown parameter for $everything: {', '.join(unknown)}.")


def one(params, name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise SearchError(f"{name}: give it once.")
    return values[0] if values else None


def patient_id(params, *, required: bool) -> int | None:
    """``patient`` as ``123`` or ``Patient/123``."""
    given = params.getlist("patient")
    if not given:
        if required:
            raise SearchError("patient: this search needs the patient (patient=123).")
        return None
    if len(given) > 1:
        raise SearchError("patient: give one patient.")
    value = given[0].removeprefix("Patient/")
    pk = id_param(value)
    if pk is None:
        raise SearchError(f"patient: {given[0]!r} is not a patient id.")
    return pk


def paging(params) -> tuple[int, int]:
    count = one(params, "_count")
    offset = one(params, "_offset")
    try:
        count = DEFAULT_COUNT if count is None else int(count)
        offset = 0 if offset is None else int(offset)
    except ValueError:
        raise SearchError("_count and _offset are whole numbers.") from None
    if count < 0 or offset < 0:
        raise SearchError("_count and _offset are not negative.")
    return min(count, MAX_COUNT), offset


# --- date ------------------------------------------------------------------------------------

DATE_VALUE = re.compile(
    r"^(?P<prefix>eq|ne|gt|lt|ge|le|sa|eb|ap)?"
    r"(?P<value>\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?)$"
)
PREFIXES = ("eq", "gt", "lt", "ge", "le")


@dataclass(frozen=True)
class DateBound:
    """``[start, end)``: the range a date value names (a day, a month, a year, an instant)."""

    prefix: str
    start: datetime.datetime
    end: datetime.datetime

    def q(self, field: str) -> Q:
        return {
            "eq": Q(**{f"{field}__gte": self.start, f"{field}__lt": self.end}),
            "ge": Q(**{f"{field}__gte": self.start}),
            "gt": Q(**{f"{field}__gte": self.end}),
            "le": Q(**{f"{field}__lt": self.end}),
            "lt": Q(**{f"{field}__lt": self.start}),
        }[self.prefix]

    def holds(self, moment: datetime.datetime) -> bool:
        return {
            "eq": self.start <= moment < self.end,
            "ge": moment >= self.start,
            "gt": moment >= self.end,
            "le": moment < self.end,
            "lt": moment < self.start,
        }[self.prefix]


def _bound(text: str, name: str) -> DateBound:
    match = DATE_VALUE.match(text)
    if match is None:
        raise SearchError(f"{name}: {text!r} is not a date (e.g. ge2026-01-31).")
    prefix = match["prefix"] or "eq"
    if prefix not in PREFIXES:
        raise SearchError(f"{name}: the prefix {prefix!r} is not supported (eq, gt, lt, ge, le).")
    value = match["value"]
    try:
        if "T" in value:
            moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            return DateBound(prefix, moment, moment + datetime.timedelta(seconds=1))
        parts = [int(p) for p in value.split("-")]
        first = datetime.date(parts[0], parts[1] if len(parts) > 1 else 1,
                              parts[2] if len(parts) > 2 else 1)  # fmt: skip
    except ValueError:
        raise SearchError(f"{name}: {text!r} is not a date.") from None
    if len(parts) == 3:
        after = first + datetime.timedelta(days=1)
    elif len(parts) == 2:
        after = (first + datetime.timedelta(days=32)).replace(day=1)
    else:
        after = first.replace(year=first.year + 1)

    def midnight(day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))

    return DateBound(prefix, midnight(first), midnight(after))


def dates(params, name: str = "date") -> list[DateBound]:
    """Every ``date`` given (they all hold: ``date=ge2026-01-01&date=le2026-01-31``); a day
    is the clinic's local day."""
    return [_bound(text, name) for text in params.getlist(name)]


def date_q(bounds: list[DateBound], field: str) -> Q:
    found = Q()
    for bound in bounds:
        found &= bound.q(field)
    return found


def birthdate_q(params) -> Q:
    found = Q()
    for text in params.getlist("birthdate"):
        bound = _bound(text, "birthdate")
        start, end = timezone.localdate(bound.start), timezone.localdate(bound.end)
        found &= {
            "eq": Q(date_of_birth__gte=start, date_of_birth__lt=end),
            "ge": Q(date_of_birth__gte=start),
            "gt": Q(date_of_birth__gte=end),
            "le": Q(date_of_birth__lt=end),
            "lt": Q(date_of_birth__lt=start),
        }[bound.prefix]
    return found


# --- token -------------------------------------------------------------------------------------


def tokens(params, name: str) -> list[tuple[str | None, str]] | None:
    """``code=http://loinc.org|8867-4,29463-7`` -> [(system, code), (None, code)]; None when
    the parameter is not given. Several ``name=`` all hold; commas within one are "or"."""
    given = params.getlist(name)
    if not given:
        return None
    if len(given) > 1:
        raise SearchError(f"{name}: give it once (commas separate alternatives).")
    found = []
    for item in given[0].split(","):
        system, bar, code = item.partition("|")
        if not bar:
            system, code = None, item
        if not code:
            raise SearchError(f"{name}: {item!r} names no code.")
        found.append((system or None, code))
    return found


def matches_token(wanted, codings: list[dict]) -> bool:
    return any(
        coding.get("code") == code and (system is None or coding.get("system") == system)
        for system, code in wanted
        for coding in codings
    )
