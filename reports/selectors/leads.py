"""From request to first infusion, and the waitlist. Two queries.

- **Leads**: consultation requests made in the range for the chosen sites, by source.
  Registered: the request became a patient. First infusion: that patient's first infusion
  has started (at any site, up to now). Conversion = requests reaching a first infusion /
  requests. Days to first infusion: the median, over those that reached it, of the days
  from the request to the start of the first infusion.
- **Waitlist**: entries added in the range; entries filled (given a chair) and withdrawn in
  the range; the median days from joining to being filled.
"""

from ..results import DAYS, PERCENT, TEXT, Column, Headline, Report, Table
from ..scope import Scope
from ..sql import fetch, in_range, rate, split_total

_LEADS = """
WITH leads AS (
  SELECT cr.source, cr.patient_id IS NOT NULL AS registered,
    (SELECT min(r.started_at) FROM infusions_infusionrecord r
     JOIN scheduling_appointment a ON a.id = r.appointment_id
     WHERE a.patient_id = cr.patient_id AND r.started_at >= cr.created_at) - cr.created_at
      AS wait
  FROM patients_consultationrequest cr JOIN clinic_location l ON l.id = cr.preferred_location_id
  WHERE cr.preferred_location_id = ANY(%(sites)s::bigint[]) AND {range}
)
SELECT source, GROUPING(source) = 1 AS is_total, count(*) AS requests,
  count(*) FILTER (WHERE registered) AS registered,
  count(*) FILTER (WHERE wait IS NOT NULL) AS first_infusion,
  {registered_rate} AS registered_percent, {conversion} AS conversion_percent,
  round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM wait) / 86400)
        )::numeric, 1) AS median_days_to_first_infusion
FROM leads GROUP BY GROUPING SETS ((source), ()) ORDER BY source NULLS LAST
""".format(
    range=in_range("cr.created_at"),
    registered_rate=rate("count(*) FILTER (WHERE registered)", "count(*)"),
    conversion=rate("count(*) FILTER (WHERE wait IS NOT NULL)", "count(*)"),
)

_WAITLIST = """
WITH moves AS (
  SELECT e.id, l.name AS site, e.created_at, sc.to_status, sc.changed_at,
    {joined} AS joined_in_range, {moved} AS moved_in_range
  FROM waitlist_waitlistentry e
  JOIN clinic_location l ON l.id = e.location_id
  LEFT JOIN waitlist_waitliststatuschange sc
    ON sc.entry_id = e.id AND sc.to_status IN ('filled', 'withdrawn')
  WHERE e.location_id = ANY(%(sites)s::bigint[])
    AND (({joined}) OR ({moved}))
)
SELECT site, GROUPING(site) = 1 AS is_total,
  count(*) FILTER (WHERE joined_in_range) AS added,
  count(*) FILTER (WHERE moved_in_range AND to_status = 'filled') AS filled,
  count(*) FILTER (WHERE moved_in_range AND to_status = 'withdrawn') AS withdrawn,
  round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM changed_at - created_at)
        / 86400) FILTER (WHERE moved_in_range AND to_status = 'filled'))::numeric, 1)
    AS median_days_to_fill
FROM moves GROUP BY GROUPING SETS ((site), ()) ORDER BY site NULLS LAST
""".format(
    joined=in_range("e.created_at"),
    moved="sc.changed_at IS NOT NULL AND " + in_range("sc.changed_at"),
)

SOURCE_NAMES = {"website": "Website form", "phone": "Phone call", "referral": "Referral"}


def leads(scope: Scope) -> Report:
    from ..charts import bar_chart

    params = scope.params()
    by_source, total = split_total(fetch(_LEADS, params), "source")
    for row in by_source:
        row["source_name"] = SOURCE_NAMES.get(row["source"], row["source"])
    waitlist, waitlist_total = split_total(fetch(_WAITLIST, params), "site")
    return Report(
        name="leads",
        title="Requests to first infusion, and waitlist fills",
        definition=__doc__.split("\n\n", 1)[1].strip(),
        headline=[
            Headline("conversion_percent", "Requests reaching a first infusion",
                     total["conversion_percent"], PERCENT),
            Headline("median_days_to_first_infusion", "Median days to first infusion",
                     total["median_days_to_first_infusion"], DAYS),
            Headline("waitlist_filled", "Waitlist fills", waitlist_total["filled"]),
        ],
        tables=[
            Table("by_source", "Requests by source",
                  [Column("source_name", "Source", TEXT), Column("requests", "Requests"),
                   Column("registered", "Registered"),
                   Column("registered_percent", "Registered %", PERCENT),
                   Column("first_infusion", "First infusion"),
                   Column("conversion_percent", "Conversion", PERCENT),
                   Column("median_days_to_first_infusion", "Median days to first infusion",
                          DAYS)],
                  [*by_source, {**total, "source_name": "All sources"}]),
            Table("waitlist_by_site", "Waitlist by site",
                  [Column("site", "Site", TEXT), Column("added", "Added"),
                   Column("filled", "Filled"), Column("withdrawn", "Withdrawn"),
                   Column("median_days_to_fill", "Median days to fill", DAYS)],
                  [*waitlist, {**waitlist_total, "site": "All sites"}]),
        ],
        charts=[
            bar_chart(
                "Requests and first infusions, by source",
                [row["source_name"] for row in by_source],
                [("Requests", [row["requests"] for row in by_source]),
                 ("Registered", [row["registered"] for row in by_source]),
                 ("First infusion", [row["first_infusion"] for row in by_source])],
            ),
        ],
    )  # fmt: skip
