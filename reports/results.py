"""The shape every report answers with, whatever the door (page, CSV, JSON): headline
numbers, tables of rows, a chart. The numbers are already computed (by the database); this
module only carries and formats them."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

# How a column's values read: a count, a percentage, a rate per 100 infusions, minutes,
# days, or text.
COUNT, PERCENT, PER_100, MINUTES, DAYS, TEXT, DATE = (
    "count", "percent", "per_100", "minutes", "days", "text", "date",
)  # fmt: skip
USD = "usd"  # dollars and cents


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = COUNT

    @property
    def csv_label(self) -> str:
        """The label with the unit the CSV's plain numbers are in."""
        unit = {PERCENT: "%", MINUTES: "minutes", DAYS: "days", PER_100: "per 100 infusions",
                USD: "USD"}  # fmt: skip
        if self.kind not in unit or unit[self.kind] in self.label:
            return self.label
        return f"{self.label} ({unit[self.kind]})"


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict]
    folded: bool = False  # a long table the page shows folded (opened on a click)

    def cells(self) -> list[list[str]]:
        """Each row's values as the page shows them, in column order."""
        return [[shown(row.get(col.key), col.kind) for col in self.columns] for row in self.rows]

    def raw_cells(self) -> list[list]:
        """Each row's values for a CSV: plain numbers (no unit, no separators), "" for none."""
        return [
            ["" if row.get(col.key) is None else plain(row.get(col.key)) for col in self.columns]
            for row in self.rows
        ]


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    value: object
    kind: str = COUNT

    @property
    def shown(self) -> str:
        return shown(self.value, self.kind)


@dataclass
class Report:
    name: str
    title: str
    definition: str
    headline: list[Headline]
    tables: list[Table]
    charts: list = field(default_factory=list)
    as_of: datetime.datetime | None = None  # when it was computed (reports.kept)

    def headline_value(self, key: str):
        return next(item.value for item in self.headline if item.key == key)


def shown(value, kind: str) -> str:
    """A value as the page and the CSV show it: no value is a dash, rates carry their unit."""
    if value is None:
        return "–"
    if kind == PERCENT:
        return f"{value}%"
    if kind == MINUTES:
        return f"{value:,}"
    if kind == DAYS:
        return f"{value} d"
    if kind == USD:
        return f"${float(value):,.2f}"
    if kind == DATE and isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def plain(value):
    """A value for JSON: Decimals (rates, to 0.1) as numbers, dates as ISO strings."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def as_json(report: Report, scope) -> dict:
    return {
        "report": report.name,
        "title": report.title,
        "definition": report.definition,
        "start": scope.start.isoformat(),
        "end": scope.end.isoformat(),
        "sites": [{"id": site.pk, "name": site.name} for site in scope.sites],
        "as_of": report.as_of.isoformat() if report.as_of else None,
        "headline": {item.key: plain(item.value) for item in report.headline},
        "tables": {
            table.key: [{col.key: plain(row.get(col.key)) for col in table.columns}
                        for row in table.rows]
            for table in report.tables
        },
    }  # fmt: skip
