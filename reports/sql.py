"""Running a report's SQL. Reports are written in SQL because they need what the ORM does
not say well (generate_series, GROUPING SETS, percentile_cont, per-row time zones); every
value comes in as a parameter, and each site's own zone turns a moment into its local date:
``(moment AT TIME ZONE l.time_zone)::date``."""

from django.db import connection


def fetch(sql: str, params: dict) -> list[dict]:
    """The rows of one query, as dicts by column name.

    Every connection of the app plans with JIT off and ``random_page_cost`` 1.1
    (``clinic/settings.py``): at Postgres's defaults a report compiled for longer (about
    250 ms) than it ran, and the month's reminders looked up their sites by reading every
    appointment of the network (full-size scale data: 264 ms -> 80 ms)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def rate(part: str, whole: str, scale: int = 100) -> str:
    """SQL for part per ``scale`` of whole, to 0.1; NULL when the whole is 0."""
    return f"round({scale}.0 * ({part}) / NULLIF({whole}, 0), 1)"


def local_date(moment: str) -> str:
    """SQL for the local calendar date of ``moment`` at the row's site (alias ``l``)."""
    return f"({moment} AT TIME ZONE l.time_zone)::date"


def in_range(moment: str) -> str:
    """SQL: ``moment`` falls on a day from start to end on its site's calendar (the UTC
    window first, so the index on the column can be used)."""
    return (
        f"{moment} >= %(lo)s AND {moment} < %(hi)s "
        f"AND {local_date(moment)} BETWEEN %(start)s AND %(end)s"
    )


def split_total(rows: list[dict], key: str) -> tuple[list[dict], dict]:
    """Rows of ``GROUP BY GROUPING SETS ((key), ())``: the grouped rows and the total row
    (where ``is_total`` is set), which always exists."""
    grouped = [row for row in rows if not row["is_total"]]
    total = next(row for row in rows if row["is_total"])
    return grouped, total
