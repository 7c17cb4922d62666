"""The two ways rows go in: COPY from Python, and INSERT ... SELECT in the database.

Ids are taken from each table's own sequence (``reserve``), so rows written here and rows
the application writes later never collide, and the sequences stay where Django expects.
"""

import io
import re
import time
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager, nullcontext

from django.db import connection

NULL = r"\N"
# Seconds spent per table written (COPY and INSERT), for the command's timing summary.
TIMINGS: dict[str, float] = defaultdict(float)


# The load session's settings (this connection only; the server's are left alone):
# - jit off: each INSERT ... SELECT runs once, and compiling it cost more than it saved;
# - synchronous_commit off: a site's commit need not wait for its WAL to reach the disk
#   (a crash loses the last sites' rows, and a half-seeded database is started over anyway);
# - memory for the sorts and hashes of the set-based statements and the index builds.
SESSION = [
    "SET jit = off",
    "SET synchronous_commit = off",
    "SET work_mem = '128MB'",
    "SET maintenance_work_mem = '512MB'",
]


def tune_session() -> None:
    with connection.cursor() as cursor:
        for sql in SESSION:
            cursor.execute(sql)


# Tables whose ids are reserved in blocks (``reserve``) while other statements of the seed
# take single ids from the same sequence (column defaults). With sites seeded at once in
# several connections, a block taken between another connection's nextval() calls overlapped
# them (setval() even moved the sequence back): a duplicate key at 25 % size. So a block is
# taken, and a default-id INSERT into one of these tables runs, holding the table's advisory
# lock (session level, released right after the statement).
RESERVED = {
    "patients_patient", "scheduling_course", "scheduling_appointment",
    "patients_weightmeasurement", "infusions_doseorder", "infusions_infusionrecord",
    "infusions_infusionstatusevent", "patients_outcomemeasure", "infusions_druglogentry",
}  # fmt: skip
EXPLICIT_ID = re.compile(r"^\s*INSERT INTO \w+\s*\(\s*id\s*,")


@contextmanager
def sequence_lock(name: str):
    """Hold the seed's advisory lock on ``name``'s ids (across the seed's connections)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [f"seed_scale:{name}"])
        try:
            yield
        finally:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [f"seed_scale:{name}"])


def reserve(table: str, count: int, column: str = "id") -> int:
    """Take ``count`` consecutive values of ``table``'s id sequence; return the first."""
    with sequence_lock(table):
        return reserve_sequence(f"pg_get_serial_sequence('{table}', '{column}')", count)


def reserve_sequence(sequence_sql: str, count: int) -> int:
    """Take ``count`` consecutive values of a sequence (an SQL expression naming it)."""
    with sequence_lock(sequence_sql), connection.cursor() as cursor:
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


def _target(sql: str) -> str:
    target = re.search(
        r"^\s*(?:INSERT INTO|CREATE TEMP TABLE|ANALYZE|VACUUM \(ANALYZE\))\s+(\w+)", sql
    )
    return target.group(1) if target else "other"


def takes_default_ids(sql: str) -> bool:
    """Whether ``sql`` inserts into a table with reserved id blocks without giving ids."""
    return (
        _target(sql) in RESERVED
        and sql.lstrip().startswith("INSERT")
        and not EXPLICIT_ID.match(sql)
    )


def run(sql: str, params: dict | list | None = None) -> int:
    """Run one set-based statement; return the rows it wrote."""
    started = time.perf_counter()
    table = _target(sql)
    with (
        sequence_lock(table) if takes_default_ids(sql) else nullcontext(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
        rows = cursor.rowcount
    TIMINGS[table] += time.perf_counter() - started
    return rows
