"""The two ways rows go in: COPY from Python, and INSERT ... SELECT in the database.

Ids are taken from each table's own sequence (``reserve``), so rows written here and rows
the application writes later never collide, and the sequences stay where Django expects.
"""

import io
import re
import time
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection

NULL = r"\N"
# Seconds spent per table written (COPY and INSERT), for the command's timing summary.
TIMINGS: dict[str, float] = defaultdict(float)


def reserve(table: str, count: int, column: str = "id") -> int:
    """Take ``count`` consecutive values of ``table``'s id sequence; return the first."""
    return reserve_sequence(f"pg_get_serial_sequence('{table}', '{column}')", count)


def reserve_sequence(sequence_sql: str, count: int) -> int:
    """Take ``count`` consecutive values of a sequence (an SQL expression naming it)."""
    with connection.cursor() as cursor:
        # One statement: nextval() gives the first value, setval() moves past the block.
        cursor.execute(
            f"SELECT first, setval({sequence_sql}, first + %s - 1) "  # noqa: S608
            f"FROM (SELECT nextval({sequence_sql}) AS first) AS taken",
            [max(count, 1)],
        )
        return cursor.fetchone()[0]


def _text(value) -> str:
    if value is None:
        return NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_rows(table: str, columns: list[str], rows: Iterable[tuple], chunk: int = 50_000) -> int:
    """COPY ``rows`` into ``table`` in chunks (text format); return how many went in."""
    started = time.perf_counter()
    total, buffer, count = 0, io.StringIO(), 0
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg2's cursor: copy_expert streams the buffer

        def flush():
            buffer.seek(0)
            raw.copy_expert(sql, buffer)
            buffer.seek(0)
            buffer.truncate()

        for row in rows:
            buffer.write("\t".join(_text(value) for value in row))
            buffer.write("\n")
            count += 1
            if count == chunk:
                flush()
                total, count = total + count, 0
        if count:
            flush()
            total += count
    TIMINGS[table] += time.perf_counter() - started
    return total


def run(sql: str, params: dict | list | None = None) -> int:
    """Run one set-based statement; return the rows it wrote."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.rowcount
    target = re.search(r"^\s*(?:INSERT INTO|CREATE TEMP TABLE|ANALYZE)\s+(\w+)", sql)
    TIMINGS[target.group(1) if target else "other"] += time.perf_counter() - started
    return rows
