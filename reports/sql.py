"""Running a report's SQL. Reports are written in SQL because they need what the ORM does
not say well (generate_series, GROUPING SETS, percentile_cont, per-row time zones); every
value comes in as a parameter, and each site's own zone turns a moment into its local date:
``(moment AT TIME ZONE l.time_zone)::date``."""

from django.db import connection


def fetch(sql: str, params: dict) -> list[dict]:
    """The rows of one query, as dicts by column name.

    JIT compilation is turned off for the statement: a report's estimated cost is high
    enough to trigger it, and compiling took longer (about 250 ms) than running the query.
    ``SET LOCAL`` in the same simple query lasts for that statement's implicit transaction
    (or the request's transaction, if one is open)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off; " + sql, params)
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
