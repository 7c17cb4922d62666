"""Outstanding patient balances at the end of the range, by age (each patient at their home
site). One query.

- **Owed**: a patient's balance (charges, refunds and debits less payments and credits, up to
  the last day of the range) when it is above zero.
- **Age**: payments and credits are taken to settle the oldest charges first, so what is
  still owed is the newest charges (and refunds, debits); each part is as old as the day it
  was charged, counted to the last day of the range: 0-30, 31-60, 61-90, over 90 days.
"""

from ..results import COUNT, TEXT, USD, Column, Headline, Report, Table
from ..sql import fetch, split_total

_SQL = """
WITH entries AS (
  SELECT e.id, e.patient_id, l.name AS site, e.amount_usd, e.recorded_at,
    %(end)s - (e.recorded_at AT TIME ZONE l.time_zone)::date AS age_days
  FROM billing_ledgerentry e
  JOIN patients_patient p ON p.id = e.patient_id
  JOIN clinic_location l ON l.id = p.home_location_id
  WHERE p.home_location_id = ANY(%(sites)s::bigint[]) AND e.recorded_at < %(hi)s
    AND (e.recorded_at AT TIME ZONE l.time_zone)::date <= %(end)s
),
owing AS (
  SELECT patient_id, sum(amount_usd) AS balance FROM entries GROUP BY patient_id
  HAVING sum(amount_usd) > 0
),
debits AS (
  SELECT e.patient_id, e.site, e.age_days, e.amount_usd, o.balance,
    coalesce(sum(e.amount_usd) OVER (
      PARTITION BY e.patient_id ORDER BY e.recorded_at DESC, e.id DESC
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS newer
  FROM entries e JOIN owing o USING (patient_id) WHERE e.amount_usd > 0
),
parts AS (
  SELECT patient_id, site, age_days, least(amount_usd, greatest(balance - newer, 0)) AS owed
  FROM debits
)
SELECT site,
  coalesce(sum(owed) FILTER (WHERE age_days <= 30), 0) AS days_0_30,
  coalesce(sum(owed) FILTER (WHERE age_days BETWEEN 31 AND 60), 0) AS days_31_60,
  coalesce(sum(owed) FILTER (WHERE age_days BETWEEN 61 AND 90), 0) AS days_61_90,
  coalesce(sum(owed) FILTER (WHERE age_days > 90), 0) AS days_over_90,
  coalesce(sum(owed), 0) AS owed, count(DISTINCT patient_id) AS patients,
  GROUPING(site) = 1 AS is_total
FROM parts WHERE owed > 0
GROUP BY GROUPING SETS ((site), ())
ORDER BY site NULLS LAST
"""

BUCKETS = [
    Column("days_0_30", "0-30 days", USD),
    Column("days_31_60", "31-60 days", USD),
    Column("days_61_90", "61-90 days", USD),
    Column("days_over_90", "Over 90 days", USD),
]
COLUMNS = [Column("patients", "Patients owing", COUNT), *BUCKETS, Column("owed", "Owed", USD)]


def balances(scope) -> Report:
    from ..charts import bar_chart

    rows = fetch(_SQL, scope.params())
    by_site, total = split_total(rows, "site")
    return Report(
        name="balances",
        title="Outstanding balances by age",
        definition=__doc__.split("\n\n", 1)[1].strip(),
        headline=[
            Headline("owed", "Owed", total["owed"], USD),
            Headline("days_over_90", "Over 90 days", total["days_over_90"], USD),
            Headline("patients", "Patients owing", total["patients"]),
        ],
        tables=[
            Table("by_site", f"By site, on {scope.end:%m/%d/%Y}",
                  [Column("site", "Site", TEXT), *COLUMNS],
                  [*by_site, {**total, "site": "All sites"}]),
        ],
        charts=[
            bar_chart(
                "Owed by age (USD)", [column.label for column in BUCKETS],
                [("Owed", [total[column.key] for column in BUCKETS])],
            )
        ],
    )  # fmt: skip
