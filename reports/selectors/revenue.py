"""Money taken and charged per site and day, from the billing ledger (each entry on its
site's calendar day). One query.

- **Charges**: what patients were charged. **Payments**: money received (all methods).
  **Refunds**: money given back. **Collected**: payments less refunds.
- **Cash**, **Card** (the external terminal), **Check**, **HSA/FSA**: collected by that
  method (payments less refunds of that method).
- **Adjustments**: credits (negative) and debits (positive) to balances; no money moves.
"""

from decimal import Decimal

from ..results import DATE, TEXT, USD, Column, Headline, Report, Table
from ..sql import fetch, in_range, split_total

_MONEY = "coalesce(sum(e.amount_usd) FILTER (WHERE {cond}), 0)"


def _collected(cond: str = "TRUE") -> str:
    return "-" + _MONEY.format(cond=f"e.kind IN ('payment', 'refund') AND {cond}")


_SQL = """
SELECT l.name AS site, (e.recorded_at AT TIME ZONE l.time_zone)::date AS day,
  {charges} AS charges, -{payments} AS payments, {refunds} AS refunds,
  {collected} AS collected, {cash} AS cash, {card} AS card, {check} AS check_usd,
  {hsa} AS hsa, {adjustments} AS adjustments,
  GROUPING(l.name) = 1 AS is_total, GROUPING((e.recorded_at AT TIME ZONE l.time_zone)::date) = 0
    AS by_day
FROM billing_ledgerentry e JOIN clinic_location l ON l.id = e.location_id
WHERE e.location_id = ANY(%(sites)s::bigint[]) AND {range}
GROUP BY GROUPING SETS ((l.name, (e.recorded_at AT TIME ZONE l.time_zone)::date), (l.name), ())
ORDER BY day NULLS LAST, site NULLS LAST
""".format(
    charges=_MONEY.format(cond="e.kind = 'charge'"),
    payments=_MONEY.format(cond="e.kind = 'payment'"),
    refunds=_MONEY.format(cond="e.kind = 'refund'"),
    collected=_collected(),
    cash=_collected("e.method = 'cash'"),
    card=_collected("e.method = 'card_terminal'"),
    check=_collected("e.method = 'check'"),
    hsa=_collected("e.method = 'hsa_fsa'"),
    adjustments=_MONEY.format(cond="e.kind = 'adjustment'"),
    range=in_range("e.recorded_at"),
)

COLUMNS = [
    Column("charges", "Charges", USD),
    Column("payments", "Payments", USD),
    Column("refunds", "Refunds", USD),
    Column("collected", "Collected", USD),
    Column("cash", "Cash", USD),
    Column("card", "Card", USD),
    Column("check_usd", "Check", USD),
    Column("hsa", "HSA/FSA", USD),
    Column("adjustments", "Adjustments", USD),
]


def revenue(scope) -> Report:
    from ..charts import bar_chart

    rows = fetch(_SQL, scope.params())
    by_day = [row for row in rows if row["by_day"]]
    grouped = [row for row in rows if not row["by_day"]]
    if not any(row["is_total"] for row in grouped):
        grouped.append({"is_total": True, **{col.key: Decimal("0.00") for col in COLUMNS}})
    by_site, total = split_total(grouped, "site")
    days = sorted({row["day"] for row in by_day})
    per_day = {day: [row for row in by_day if row["day"] == day] for day in days}

    def summed(day, key):
        return sum((row[key] for row in per_day[day]), Decimal("0.00"))

    return Report(
        name="revenue",
        title="Revenue per site and day",
        definition=__doc__.split("\n\n", 1)[1].strip(),
        headline=[
            Headline("charges", "Charged", total["charges"], USD),
            Headline("collected", "Collected", total["collected"], USD),
            Headline("refunds", "Refunded", total["refunds"], USD),
        ],
        tables=[
            Table("by_site", "By site", [Column("site", "Site", TEXT), *COLUMNS],
                  [*by_site, {**total, "site": "All sites"}]),
            Table("by_day", "By site and day", [Column("day", "Day", DATE),
                  Column("site", "Site", TEXT), *COLUMNS], by_day, folded=len(by_day) > 20),
        ],
        charts=[
            bar_chart(
                "Collected per day: cash and card (USD)",
                [day.strftime("%m/%d") for day in days],
                [("Cash", [summed(day, "cash") for day in days]),
                 ("Card", [summed(day, "card") for day in days]),
                 ("Check and HSA/FSA", [summed(day, "check_usd") + summed(day, "hsa")
                                         for day in days])],
            )
        ],
    )  # fmt: skip
