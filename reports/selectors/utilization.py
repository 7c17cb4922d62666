"""Chair utilization: infusion chair-minutes booked and used against the chair-minutes the
sites were open, per day, per site and per hour of the week. Two queries.

- **Open**: each in-service chair for the site's opening hours of that weekday (its local
  wall clock, so 09:00-17:00 stays eight hours across a daylight-saving change), except
  closed days (the site's or every site's) and, where the site follows them, US federal
  holidays. A site without chairs or hours has no open minutes (its rates are blank).
- **Booked**: the chair time ([arrival, end of recovery)) of every visit not cancelled
  (no-shows included: their chair was held).
- **Used**: the chair time of visits the patient came to (checked in, in the chair,
  completed).
"""

from scheduling import closures
from scheduling.models.courses import AppointmentStatus as A

from ..results import MINUTES, PERCENT, TEXT, Column, Headline, Report, Table
from ..scope import Scope
from ..sql import fetch, in_range, rate, split_total

CAME = (A.CHECKED_IN, A.IN_CHAIR, A.COMPLETED)

_OPEN = """
days AS (
  SELECT l.id AS location_id, d::date AS day
  FROM clinic_location l, generate_series(%(start)s::date, %(end)s::date, interval '1 day') d
  WHERE l.id = ANY(%(sites)s::bigint[])
),
chairs AS (
  SELECT location_id, count(*) AS n FROM scheduling_chair
  WHERE is_active AND location_id = ANY(%(sites)s::bigint[]) GROUP BY location_id
),
open AS (  -- each open period of each day, on the site's wall clock, with its chairs
  SELECT days.location_id, days.day, days.day + h.opens_at AS opens,
         days.day + h.closes_at AS closes, chairs.n AS chairs
  FROM days
  JOIN chairs ON chairs.location_id = days.location_id
  JOIN scheduling_openinghours h
    ON h.location_id = days.location_id AND h.weekday = extract(isodow FROM days.day) - 1
  LEFT JOIN scheduling_locationschedule s ON s.location_id = days.location_id
  WHERE NOT EXISTS (
      SELECT 1 FROM scheduling_closedday c
      WHERE c.date = days.day AND (c.location_id = days.location_id OR c.location_id IS NULL))
    AND NOT (coalesce(s.follows_federal_holidays, true) AND days.day = ANY(%(holidays)s::date[]))
),
visits AS (  -- chair time of the visits held, on the site's wall clock
  SELECT a.location_id, a.starts_at AT TIME ZONE l.time_zone AS s,
         a.ends_at AT TIME ZONE l.time_zone AS e,
         extract(epoch FROM a.ends_at - a.starts_at) / 60 AS minutes,
         a.status = ANY(%(came)s) AS came
  FROM scheduling_appointment a JOIN clinic_location l ON l.id = a.location_id
  WHERE a.location_id = ANY(%(sites)s::bigint[]) AND a.status <> 'cancelled'
    AND {visit_range}
)
""".format(visit_range=in_range("a.starts_at"))

_BY_DAY_AND_SITE = (
    "WITH "
    + _OPEN
    + """,
per_day AS (
  SELECT days.location_id, days.day, coalesce(o.open, 0) AS open,
         coalesce(v.booked, 0) AS booked, coalesce(v.used, 0) AS used
  FROM days
  LEFT JOIN (SELECT location_id, day, sum(extract(epoch FROM closes - opens) / 60 * chairs) AS open
             FROM open GROUP BY 1, 2) o USING (location_id, day)
  LEFT JOIN (SELECT location_id, s::date AS day, sum(minutes) AS booked,
                    sum(minutes) FILTER (WHERE came) AS used
             FROM visits GROUP BY 1, 2) v USING (location_id, day)
)
SELECT p.day, l.name AS site, GROUPING(p.day) = 1 AND GROUPING(l.name) = 1 AS is_total,
  GROUPING(p.day) = 0 AS by_day,
  round(sum(p.open))::int AS open_minutes, round(sum(p.booked))::int AS booked_minutes,
  round(sum(p.used))::int AS used_minutes,
  """
    + rate("sum(p.booked)", "sum(p.open)")
    + """ AS booked_percent,
  """
    + rate("sum(p.used)", "sum(p.open)")
    + """ AS used_percent
FROM per_day p JOIN clinic_location l ON l.id = p.location_id
GROUP BY GROUPING SETS ((p.day), (l.name), ())
ORDER BY p.day NULLS LAST, l.name NULLS LAST
"""
)

# Minutes of each open period and each visit that fall in each clock hour, by hour of the
# week (Monday 0). Hours are counted in integer seconds of the wall clock since 1970-01-01 (a
# Thursday, hence the + 3): integer series are far cheaper than timestamp ones.
_BY_HOUR_OF_WEEK = (
    "WITH "
    + _OPEN
    + """,
spans AS (
  SELECT extract(epoch FROM opens)::bigint AS s, extract(epoch FROM closes)::bigint AS e,
         chairs AS weight, true AS is_open FROM open
  UNION ALL
  SELECT extract(epoch FROM s)::bigint, extract(epoch FROM e)::bigint, 1, false FROM visits
),
hours AS (
  SELECT hour, is_open,
         weight * (least((hour + 1) * 3600, e) - greatest(hour * 3600, s)) AS seconds
  FROM (SELECT generate_series(s / 3600, (e - 1) / 3600) AS hour, s, e, weight, is_open
        FROM spans) x
)
SELECT ((hour / 24 + 3) %% 7)::int AS weekday,
  (ARRAY['Mon','Tue','Wed','Thu','Fri','Sat','Sun'])[(hour / 24 + 3) %% 7 + 1] AS day_name,
  (hour %% 24)::int AS hour,
  round(coalesce(sum(seconds) FILTER (WHERE is_open), 0) / 60)::int AS open_minutes,
  round(coalesce(sum(seconds) FILTER (WHERE NOT is_open), 0) / 60)::int AS booked_minutes,
  """
    + rate("sum(seconds) FILTER (WHERE NOT is_open)", "sum(seconds) FILTER (WHERE is_open)")
    + """ AS booked_percent
FROM hours GROUP BY 1, 2, 3 ORDER BY 1, 3
"""
)

COLUMNS = [
    Column("open_minutes", "Open chair-minutes", MINUTES),
    Column("booked_minutes", "Booked", MINUTES),
    Column("used_minutes", "Used", MINUTES),
    Column("booked_percent", "Booked %", PERCENT),
    Column("used_percent", "Used %", PERCENT),
]


def _params(scope: Scope) -> dict:
    return {
        **scope.params(),
        "holidays": list(closures.federal_holidays_between(scope.start, scope.end)),
        "came": list(CAME),
    }


def hour_of_week(scope: Scope) -> list[dict]:
    """Open and booked chair-minutes per (weekday, hour) over the range (one query)."""
    return fetch(_BY_HOUR_OF_WEEK, _params(scope))


def utilization(scope: Scope) -> Report:
    rows = fetch(_BY_DAY_AND_SITE, _params(scope))
    by_day = [row for row in rows if row["by_day"]]
    by_site, total = split_total([row for row in rows if not row["by_day"]], "site")
    from ..charts import bar_chart, heat_map

    heat = hour_of_week(scope)
    return Report(
        name="utilization",
        title="Chair utilization",
        definition=__doc__.split("\n\n", 1)[1].strip(),
        headline=[
            Headline("booked_percent", "Chair time booked", total["booked_percent"], PERCENT),
            Headline("used_percent", "Chair time used", total["used_percent"], PERCENT),
            Headline("open_minutes", "Open chair-minutes", total["open_minutes"], MINUTES),
        ],
        tables=[
            Table("by_day", "By day", [Column("day", "Day", "date"), *COLUMNS], by_day),
            Table("by_site", "By site", [Column("site", "Site", TEXT), *COLUMNS],
                  [*by_site, {**total, "site": "All sites"}]),
            Table("by_hour_of_week", "By hour of the week",
                  [Column("day_name", "Weekday", TEXT), Column("hour", "Hour"),
                   Column("open_minutes", "Open chair-minutes", MINUTES),
                   Column("booked_minutes", "Booked", MINUTES),
                   Column("booked_percent", "Booked %", PERCENT)], heat, folded=True),
        ],
        charts=[
            bar_chart(
                "Share of open chair time booked and used, by day",
                [row["day"].strftime("%m/%d") for row in by_day],
                [("Booked", [row["booked_percent"] for row in by_day]),
                 ("Used", [row["used_percent"] for row in by_day])],
                unit="%",
            ),
            heat_map("Booked share of open chair time, by hour of the week", heat),
        ],
    )  # fmt: skip
