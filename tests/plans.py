"""Can a reader's queries use an index? For the tests of the indexes made for a read."""

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext


def plans_of(read, index: str) -> str:
    """The plans of the queries ``read`` runs, with ``index``'s table left no other index to
    read by (but its constraints') and only bitmap scans priced in (a constraint's index can
    stand in for a sequential scan otherwise), all undone after.

    The question is whether the planner *can* read by the index (a partial one's condition
    implied by the reader's filter, an expression's matching the reader's), not which index
    it prefers on a test table of a few
    rows: that depends on whether autovacuum has analyzed the table yet (a CI run chose the
    patient's foreign-key index)."""
    with CaptureQueriesContext(connection) as captured:
        read()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT other.relname
              FROM pg_index AS x JOIN pg_class AS other ON other.oid = x.indexrelid
             WHERE x.indrelid = (SELECT indrelid FROM pg_index WHERE indexrelid = %s::regclass)
               AND other.relname <> %s
               AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = x.indexrelid)
            """,
            [index, index],
        )
        for (other,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{other}"')
        for kind in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{kind} = off")
        lines = []
        for query in captured.captured_queries:
            cursor.execute(f"EXPLAIN {query['sql']}")
            lines += [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)
    return "\n".join(lines)
