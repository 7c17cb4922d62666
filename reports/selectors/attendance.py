"""No-shows and late cancellations of the visits due in the range (by their start on the
site's calendar). One query.

- **Due**: visits that came, were missed, or were cancelled late; a visit cancelled earlier
  freed its chair in time and is not counted against anyone.
- **Came** includes the patients checked in and sent home without the infusion (**not
  given**: blood pressure too high at the pre-assessment, no escort): their visit is
  cancelled at its time, but it is no late cancellation of theirs.
- **No-show rate**: no-shows / due. **Late-cancellation rate**: cancellations made less than
  24 hours before the start (or after it) / due.
- Visits still scheduled or confirmed (ahead, or not yet marked) are listed as open and are
  in no rate.
"""

from ..results import DATE, PERCENT, TEXT, Column, Headline, Report, Table
from ..scope import Scope
from ..sql import fetch, in_range, rate, split_total
from .utilization import CAME

LATE_CANCELLATION_HOURS = 24

_SQL = """
WITH visits AS (
  SELECT location_id, site, status, week, not_given,
    status = 'cancelled' AND NOT not_given AND coalesce((
      SELECT max(sc.changed_at) FROM scheduling_appointmentstatuschange sc
      WHERE sc.appointment_id = v.id AND sc.to_status = 'cancelled'
    ), created_at) > starts_at - make_interval(hours => %(late_hours)s) AS late
  FROM (
    SELECT a.id, a.location_id, l.name AS site, a.status, a.starts_at, a.created_at,
      date_trunc('week', a.starts_at AT TIME ZONE l.time_zone)::date AS week,
      a.status = 'cancelled' AND EXISTS (
        SELECT 1 FROM infusions_infusionrecord r
        WHERE r.appointment_id = a.id AND r.status = 'not_given'
      ) AS not_given
    FROM scheduling_appointment a JOIN clinic_location l ON l.id = a.location_id
    WHERE a.location_id = ANY(%(sites)s::bigint[]) AND {range}
  ) v
),
counted AS (
  SELECT site, week,
    count(*) FILTER (WHERE status = ANY(%(came)s) OR not_given) AS attended,
    count(*) FILTER (WHERE not_given) AS not_given,
    count(*) FILTER (WHERE status = 'no_show') AS no_shows,
    count(*) FILTER (WHERE late) AS late_cancellations,
    count(*) FILTER (WHERE status = 'cancelled' AND NOT late AND NOT not_given)
      AS early_cancellations,
    count(*) FILTER (WHERE status IN ('scheduled', 'confirmed')) AS open,
    GROUPING(site) = 1 AND GROUPING(week) = 1 AS is_total, GROUPING(week) = 0 AS by_week
  FROM visits GROUP BY GROUPING SETS ((site), (week), ())
)
SELECT *, attended + no_shows + late_cancellations AS due,
  {no_show_rate} AS no_show_percent, {late_rate} AS late_cancellation_percent
FROM counted ORDER BY week NULLS LAST, site NULLS LAST
""".format(
    range=in_range("a.starts_at"),
    no_show_rate=rate("no_shows", "attended + no_shows + late_cancellations"),
    late_rate=rate("late_cancellations", "attended + no_shows + late_cancellations"),
)

COLUMNS = [
    Column("due", "Due"),
    Column("attended", "Came"),
    Column("not_given", "Came, not given"),
    Column("no_shows", "No-shows"),
    Column("late_cancellations", "Late cancellations"),
    Column("no_show_percent", "No-show rate", PERCENT),
    Column("late_cancellation_percent", "Late-cancellation rate", PERCENT),
    Column("early_cancellations", "Cancelled in time"),
    Column("open", "Open"),
]


def attendance(scope: Scope) -> Report:
    from ..charts import bar_chart

    rows = fetch(
        _SQL, {**scope.params(), "came": list(CAME), "late_hours": LATE_CANCELLATION_HOURS}
    )
    by_week = [row for row in rows if row["by_week"]]
    by_site, total = split_total([row for row in rows if not row["by_week"]], "site")
    return Report(
        name="attendance",
        title="No-shows and late cancellations",
        definition=__doc__.split("\n\n", 1)[1].strip(),
        headline=[
            Headline("no_show_percent", "No-show rate", total["no_show_percent"], PERCENT),
            Headline(
                "late_cancellation_percent", "Late-cancellation rate",
                total["late_cancellation_percent"], PERCENT,
            ),  # fmt: skip
            Headline("due", "Visits due", total["due"]),
        ],
        tables=[
            Table("by_site", "By site", [Column("site", "Site", TEXT), *COLUMNS],
                  [*by_site, {**total, "site": "All sites"}]),
            Table("by_week", "By week (starting Monday)", [Column("week", "Week of", DATE),
                  *COLUMNS], by_week),
        ],
        charts=[
            bar_chart(
                "No-show and late-cancellation rates, by week",
                [row["week"].strftime("%m/%d") for row in by_week],
                [("No-shows", [row["no_show_percent"] for row in by_week]),
                 ("Late cancellations", [row["late_cancellation_percent"] for row in by_week])],
                unit="%",
            )
        ],
    )  # fmt: skip
