"""Alerts and side effects per 100 infusions. Two queries.

- **Infusions**: infusions started in the range (on the site's calendar).
- **Alerts**: vitals alerts raised during them (one per reading out of range, however many
  values it names). **Side effects**: side effects charted on them, leaving out entries
  struck through by a correction; severe ones are counted apart.
- Rates are per 100 infusions started.
"""

from ..results import PER_100, TEXT, Column, Headline, Report, Table
from ..scope import Scope
from ..sql import fetch, in_range, rate, split_total

_INFUSIONS = """
infusions AS (
  SELECT r.id, l.name AS site
  FROM infusions_infusionrecord r
  JOIN scheduling_appointment a ON a.id = r.appointment_id
  JOIN clinic_location l ON l.id = a.location_id
  WHERE a.location_id = ANY(%(sites)s::bigint[]) AND r.started_at IS NOT NULL
    AND {range}
),
effects AS (
  SELECT i.site, e.record_id, e.side_effect, e.severity FROM infusions i
  JOIN infusions_infusionevent e ON e.record_id = i.id AND e.kind = 'side_effect'
  WHERE NOT EXISTS (SELECT 1 FROM infusions_correction x WHERE x.event_id = e.id)
)
""".format(range=in_range("r.started_at"))

_BY_SITE = (
    "WITH "
    + _INFUSIONS
    + """
SELECT i.site, GROUPING(i.site) = 1 AS is_total, count(*) AS infusions,
  coalesce(sum(al.n), 0)::int AS alerts, coalesce(sum(ef.n), 0)::int AS side_effects,
  coalesce(sum(ef.severe), 0)::int AS severe,
  {alerts} AS alerts_per_100, {effects} AS side_effects_per_100, {severe} AS severe_per_100
FROM infusions i
LEFT JOIN (SELECT record_id, count(DISTINCT reading_id) AS n FROM infusions_alert
           WHERE record_id IN (SELECT id FROM infusions) GROUP BY record_id) al
  ON al.record_id = i.id
LEFT JOIN (SELECT record_id, count(*) AS n, count(*) FILTER (WHERE severity = 'severe') AS severe
           FROM effects GROUP BY record_id) ef
  ON ef.record_id = i.id
GROUP BY GROUPING SETS ((i.site), ()) ORDER BY i.site NULLS LAST
""".format(
        alerts=rate("coalesce(sum(al.n), 0)", "count(*)"),
        effects=rate("coalesce(sum(ef.n), 0)", "count(*)"),
        severe=rate("coalesce(sum(ef.severe), 0)", "count(*)"),
    )
)

_BY_EFFECT = (
    "WITH "
    + _INFUSIONS
    + """
SELECT side_effect, count(*) AS side_effects,
  count(*) FILTER (WHERE severity = 'severe') AS severe,
  {per_100} AS side_effects_per_100
FROM effects GROUP BY side_effect ORDER BY count(*) DESC, side_effect
""".format(per_100=rate("count(*)", "(SELECT count(*) FROM infusions)"))
)


def safety(scope: Scope) -> Report:
    from infusions.models.charting import SideEffect

    from ..charts import bar_chart

    params = scope.params()
    by_site, total = split_total(fetch(_BY_SITE, params), "site")
    by_effect = fetch(_BY_EFFECT, params)
    for row in by_effect:
        row["name"] = SideEffect(row["side_effect"]).label
    return Report(
        name="safety",
        title="Alerts and side effects",
        definition=__doc__.split("\n\n", 1)[1].strip(),
        headline=[
            Headline("alerts_per_100", "Alerts per 100 infusions", total["alerts_per_100"],
                     PER_100),
            Headline("side_effects_per_100", "Side effects per 100 infusions",
                     total["side_effects_per_100"], PER_100),
            Headline("infusions", "Infusions started", total["infusions"]),
        ],
        tables=[
            Table("by_site", "By site",
                  [Column("site", "Site", TEXT), Column("infusions", "Infusions"),
                   Column("alerts", "Alerts"), Column("alerts_per_100", "Alerts per 100", PER_100),
                   Column("side_effects", "Side effects"),
                   Column("side_effects_per_100", "Side effects per 100", PER_100),
                   Column("severe", "Severe"), Column("severe_per_100", "Severe per 100", PER_100)],
                  [*by_site, {**total, "site": "All sites"}]),
            Table("by_side_effect", "Side effects by kind",
                  [Column("name", "Side effect", TEXT), Column("side_effects", "Charted"),
                   Column("side_effects_per_100", "Per 100 infusions", PER_100),
                   Column("severe", "Severe")], by_effect),
        ],
        charts=[
            bar_chart(
                "Alerts and side effects per 100 infusions, by site",
                [row["site"] for row in by_site],
                [("Alerts", [row["alerts_per_100"] for row in by_site]),
                 ("Side effects", [row["side_effects_per_100"] for row in by_site])],
            )
        ],
    )  # fmt: skip
