"""Courses and responders, per protocol. Two queries.

- **Courses**: courses booked in the range (on the site's calendar). Completion rate =
  completed / (completed + abandoned); courses cancelled before they began, or still
  running, are in no rate. Infusions per course: the mean of completed infusions, for
  completed and for abandoned courses.
- **Responders**: completed courses whose last infusion was in the range. Baseline pain:
  the last valid (not corrected) pain NRS from 30 days before the first visit to the start
  of the first infusion; end pain: the last one from the start of the last infusion to 7
  days after the visit. A responder's end pain is at least 30% below a baseline above zero
  (IMMPACT, Dworkin 2008). Courses without both scores are counted apart, in no rate.
- **Protocol**: a course counts under the protocol in effect: the one a physician changed it
  to (the newest change), else the one it was booked under.
"""

from protocols.models import Protocol
from scheduling.selectors.protocol import protocol_in_effect_sql

from ..results import PERCENT, TEXT, Column, Headline, Report, Table
from ..scope import Scope
from ..sql import fetch, in_range, rate, split_total

_COURSES = """
WITH courses AS (
  SELECT c.status, p.name AS protocol,
    (SELECT count(*) FROM scheduling_appointment a
     WHERE a.course_id = c.id AND a.status = 'completed') AS infusions
  FROM scheduling_course c
  JOIN clinic_location l ON l.id = c.location_id
  JOIN {protocols} p ON p.id = {in_effect}
  WHERE c.location_id = ANY(%(sites)s::bigint[]) AND {range}
)
SELECT protocol, GROUPING(protocol) = 1 AS is_total, count(*) AS booked,
  count(*) FILTER (WHERE status = 'completed') AS completed,
  count(*) FILTER (WHERE status = 'abandoned') AS abandoned,
  count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
  count(*) FILTER (WHERE status IN ('planned', 'active')) AS running,
  {completion} AS completion_percent,
  round(avg(infusions) FILTER (WHERE status = 'completed'), 1) AS infusions_per_completed,
  round(avg(infusions) FILTER (WHERE status = 'abandoned'), 1) AS infusions_per_abandoned
FROM courses GROUP BY GROUPING SETS ((protocol), ()) ORDER BY protocol NULLS LAST
""".format(
    protocols=Protocol._meta.db_table,
    in_effect=protocol_in_effect_sql("c"),
    range=in_range("c.booked_at"),
    completion=rate(
        "count(*) FILTER (WHERE status = 'completed')",
        "count(*) FILTER (WHERE status IN ('completed', 'abandoned'))",
    ),
)

_PAIN = """
  (SELECT m.score FROM patients_outcomemeasure m
   WHERE m.patient_id = c.patient_id AND m.kind = 'pain_nrs'
     AND NOT EXISTS (SELECT 1 FROM patients_outcomemeasure x WHERE x.corrects_id = m.id)
     AND coalesce(m.taken_at, m.recorded_at) BETWEEN {since} AND {until}
   ORDER BY coalesce(m.taken_at, m.recorded_at) DESC, m.id DESC LIMIT 1)
"""

_RESPONDERS = """
WITH in_window AS MATERIALIZED (
  -- The courses with a completed visit in the (generous, UTC) window, found first by the
  -- index on (site, start): a course whose last infusion is in the range has one. As an
  -- IN test of each of the sites' completed courses instead, the planner (its estimate of a
  -- course's protocol in effect is a guess) probed every course of five years, 0.5 s.
  SELECT DISTINCT w.course_id FROM scheduling_appointment w
  WHERE w.location_id = ANY(%(sites)s::bigint[]) AND w.status = 'completed'
    AND w.starts_at >= %(lo)s AND w.starts_at < %(hi)s AND w.course_id IS NOT NULL
),
-- Materialized too, so each course's protocol in effect (a subquery) is looked up for
-- these courses only, not for every completed course before the join.
finished AS MATERIALIZED (
  SELECT c.id, c.patient_id, {in_effect} AS protocol_id, l.time_zone, v.first_start,
    v.first_infusion, v.last_infusion, v.last_end
  FROM in_window
  JOIN scheduling_course c ON c.id = in_window.course_id
  JOIN clinic_location l ON l.id = c.location_id
  -- Each course's own completed visits, by the index on course.
  CROSS JOIN LATERAL (
    SELECT min(a.starts_at) AS first_start, min(a.infusion_starts_at) AS first_infusion,
      max(a.infusion_starts_at) AS last_infusion, max(a.ends_at) AS last_end
    FROM scheduling_appointment a WHERE a.course_id = c.id AND a.status = 'completed'
  ) v
  WHERE c.location_id = ANY(%(sites)s::bigint[]) AND c.status = 'completed'
),
scored AS (
  SELECT p.name AS protocol, {baseline} AS baseline, {final} AS final
  FROM finished c
  JOIN {protocols} p ON p.id = c.protocol_id
  WHERE (c.last_infusion AT TIME ZONE c.time_zone)::date BETWEEN %(start)s AND %(end)s
)
SELECT protocol, GROUPING(protocol) = 1 AS is_total, count(*) AS completed,
  count(*) FILTER (WHERE baseline > 0 AND final IS NOT NULL) AS scored,
  count(*) FILTER (WHERE baseline > 0 AND final <= baseline * 0.7) AS responders,
  {responder_rate} AS responder_percent,
  round(avg(100 * (baseline - final) / baseline) FILTER (WHERE baseline > 0), 1)
    AS mean_reduction_percent
FROM scored GROUP BY GROUPING SETS ((protocol), ()) ORDER BY protocol NULLS LAST
""".format(
    protocols=Protocol._meta.db_table,
    in_effect=protocol_in_effect_sql("c"),
    baseline=_PAIN.format(since="c.first_start - interval '30 days'", until="c.first_infusion"),
    final=_PAIN.format(since="c.last_infusion", until="c.last_end + interval '7 days'"),
    responder_rate=rate(
        "count(*) FILTER (WHERE baseline > 0 AND final <= baseline * 0.7)",
        "count(*) FILTER (WHERE baseline > 0 AND final IS NOT NULL)",
    ),
)


def courses(scope: Scope) -> Report:
    from ..charts import bar_chart

    params = scope.params()
    by_protocol, total = split_total(fetch(_COURSES, params), "protocol")
    responders, responders_total = split_total(fetch(_RESPONDERS, params), "protocol")
    completion = {row["protocol"]: row["completion_percent"] for row in by_protocol}
    responder = {row["protocol"]: row["responder_percent"] for row in responders}
    names = sorted(completion.keys() | responder.keys())
    return Report(
        name="courses",
        title="Courses and responders",
        definition=__doc__.split("\n\n", 1)[1].strip(),
        headline=[
            Headline("completion_percent", "Courses completed", total["completion_percent"],
                     PERCENT),
            Headline("infusions_per_completed", "Infusions per completed course",
                     total["infusions_per_completed"]),
            Headline("responder_percent", "Responders (≥30% less pain)",
                     responders_total["responder_percent"], PERCENT),
        ],
        tables=[
            Table("courses_by_protocol", "Courses booked, by protocol",
                  [Column("protocol", "Protocol", TEXT), Column("booked", "Booked"),
                   Column("completed", "Completed"), Column("abandoned", "Abandoned"),
                   Column("completion_percent", "Completion rate", PERCENT),
                   Column("infusions_per_completed", "Infusions per completed course"),
                   Column("infusions_per_abandoned", "Infusions per abandoned course"),
                   Column("cancelled", "Cancelled"), Column("running", "Running")],
                  [*by_protocol, {**total, "protocol": "All protocols"}]),
            Table("responders_by_protocol", "Responders, by protocol",
                  [Column("protocol", "Protocol", TEXT), Column("completed", "Completed"),
                   Column("scored", "With pain scores"), Column("responders", "Responders"),
                   Column("responder_percent", "Responder rate", PERCENT),
                   Column("mean_reduction_percent", "Mean pain reduction", PERCENT)],
                  [*responders, {**responders_total, "protocol": "All protocols"}]),
        ],
        charts=[
            bar_chart(
                "Completion and responder rates, by protocol",
                names,
                [("Completed", [completion.get(name) for name in names]),
                 ("Responders", [responder.get(name) for name in names])],
                unit="%",
            )
        ],
    )  # fmt: skip
