"""Package liabilities: prepaid infusions not yet given, as they stood at the end of the
range. One query.

- **Packages**: course packages sold at the site on or before the last day (the site's
  calendar); **open** ones have infusions left.
- **Infusions left**: the package's size less the infusions it covered (completed visits)
  and those given back, each on or before the last day.
- **Prepaid value (USD)**: the sum over packages of price x infusions left / size, to the
  whole dollar; what the clinic owes in infusions, at the price they were sold for.
- **Sold in range**: packages sold from the first to the last day.
"""

from ..results import TEXT, Column, Headline, Report, Table
from ..scope import Scope
from ..sql import fetch, local_date, split_total

_BY_SITE = """
WITH p AS (
  SELECT l.name AS site, pp.infusions, pp.price_usd,
    {sold} BETWEEN %(start)s AND %(end)s AS sold_in_range,
    pp.infusions
      - (SELECT count(*) FROM billing_packageuse u
         WHERE u.purchase_id = pp.id AND {used} <= %(end)s)
      - coalesce((SELECT sum(r.infusions) FROM billing_packagerelease r
                  WHERE r.purchase_id = pp.id AND {released} <= %(end)s), 0) AS left_n
  FROM billing_packagepurchase pp
  JOIN clinic_location l ON l.id = pp.location_id
  WHERE pp.location_id = ANY(%(sites)s::bigint[]) AND pp.sold_at < %(hi)s
    AND {sold} <= %(end)s
)
SELECT site, GROUPING(site) = 1 AS is_total,
  count(*) FILTER (WHERE left_n > 0) AS open_packages,
  coalesce(sum(left_n), 0)::int AS infusions_left,
  round(coalesce(sum(price_usd * left_n / infusions), 0))::int AS value_usd,
  count(*) FILTER (WHERE sold_in_range) AS sold_in_range
FROM p GROUP BY GROUPING SETS ((site), ()) ORDER BY site NULLS LAST
""".format(
    sold=local_date("pp.sold_at"),
    used=local_date("u.used_at"),
    released=local_date("r.released_at"),
)


def package_liability(scope: Scope) -> Report:
    from ..charts import bar_chart

    by_site, total = split_total(fetch(_BY_SITE, scope.params()), "site")
    return Report(
        name="package_liability",
        title="Package liabilities",
        definition=__doc__.split("\n\n", 1)[1].strip(),
        headline=[
            Headline("infusions_left", "Prepaid infusions not yet given", total["infusions_left"]),
            Headline("value_usd", "Prepaid value (USD)", total["value_usd"]),
            Headline("open_packages", "Open packages", total["open_packages"]),
        ],
        tables=[
            Table("by_site", "By site",
                  [Column("site", "Site", TEXT), Column("open_packages", "Open packages"),
                   Column("infusions_left", "Infusions left"),
                   Column("value_usd", "Prepaid value (USD)"),
                   Column("sold_in_range", "Sold in range")],
                  [*by_site, {**total, "site": "All sites"}]),
        ],
        charts=[
            bar_chart(
                "Prepaid infusions not yet given, by site",
                [row["site"] for row in by_site],
                [("Infusions left", [row["infusions_left"] for row in by_site])],
            )
        ],
    )  # fmt: skip
