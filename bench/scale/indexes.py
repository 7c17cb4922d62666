"""Plain indexes are built after the load instead of row by row during it.

Before the sites are seeded, the tables the seed fills lose their *plain* indexes: the
non-unique ones that back no constraint (the foreign-key lookups Django adds, the list and
search indexes). Every primary key, unique index (partial ones too: they are rules) and
exclusion constraint's index stays, so every row is still checked as it goes in; so do the
few plain indexes the seed itself reads by (``KEEP``). Afterwards each dropped index is
created again from its own definition (``pg_get_indexdef``), same name, same shape, so the
schema ends exactly as the migrations left it. Building an index once from the finished
table is a sort; keeping it up to date through 30 million inserts is a random btree descent
and its WAL per row.

The indexes come back in a ``finally``, also when the seed fails. A process killed outright
between the two leaves them missing: such a database is half-seeded and is dropped anyway
(the command refuses to seed a database twice).
"""

import time

from django.db import connection

from . import db

# Plain indexes the seed's own statements read by: each site's rows, the lots' balances, and
# the patient of an intake or a screening (without that one, the clearances' join of a
# site's screenings to its patients became a nested loop: 0.1 s -> 8 s at 10 % size).
KEEP = {
    ("scheduling_appointment", "(location_id)"),
    ("patients_patient", "(home_location_id)"),
    ("infusions_druglogentry", "(lot_id)"),
    ("patients_screening", "(patient_id)"),
    ("patients_clinicalintake", "(patient_id)"),
}
TABLES = [
    "audit_accesslog", "infusions_discharge", "infusions_dosecheck", "infusions_doseorder",
    "infusions_doseorderevent", "infusions_druglogentry", "infusions_escortentry",
    "infusions_infusionrecord", "infusions_infusionstatusevent", "infusions_vitalsreading",
    "patients_clearance", "patients_clinicalintake", "patients_communicationconsent",
    "patients_consentsignature", "patients_escortcontact", "patients_outcomemeasure",
    "patients_patient", "patients_priortreatment", "patients_screening",
    "patients_weightmeasurement", "scheduling_appointment", "scheduling_appointmentstatuschange",
    "scheduling_course", "scheduling_nurseshift", "scheduling_outboundmessage",
]  # fmt: skip

PLAIN = """
SELECT t.relname, ix.relname, pg_get_indexdef(i.indexrelid)
FROM pg_index i
JOIN pg_class ix ON ix.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema()
WHERE t.relname = ANY(%s) AND NOT i.indisunique AND NOT i.indisprimary
    AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                    WHERE c.conrelid = i.indrelid AND c.conindid = i.indexrelid)
ORDER BY t.relname, ix.relname
"""


# A partial index whose condition is an IN list on a varchar (``status__in``) stays too:
# Postgres prints it as ``= ANY ((ARRAY['a'::character varying, ...])::text[])``, which a
# second CREATE parses into ``= ANY (ARRAY[('a'::character varying)::text, ...])``, an
# equivalent but different condition, so the schema would not end as the migrations left
# it. Such indexes cover few rows (open courses, flagged screenings): keeping them through
# the load costs little.
NOT_REPRINTABLE = "= ANY ((ARRAY["


def plain() -> list[tuple[str, str, str]]:
    """(table, index, CREATE INDEX statement) of each plain index the seed may drop."""
    with connection.cursor() as cursor:
        cursor.execute(PLAIN, [TABLES])
        found = cursor.fetchall()
    return [
        (table, name, sql)
        for table, name, sql in found
        if not any(table == kept and sql.endswith(f"USING btree {columns}")
                   for kept, columns in KEEP)
        and NOT_REPRINTABLE not in sql
    ]  # fmt: skip


def drop() -> list[tuple[str, str, str]]:
    """Drop the plain indexes; return what ``restore`` needs to build them again."""
    dropped = plain()
    for _table, name, _sql in dropped:
        db.run(f'DROP INDEX "{name}"')
    return dropped


def create(sql: str) -> float:
    """Build one index (if it is not there); return the seconds it took."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
    return time.perf_counter() - started


def largest_first(dropped: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The biggest tables' indexes first, so that two builders finish close together."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, pg_relation_size(oid) FROM pg_class WHERE relname = ANY(%s)",
            [sorted({table for table, _name, _sql in dropped})],
        )
        rows = dict(cursor.fetchall())
    return sorted(dropped, key=lambda item: -rows.get(item[0], 0))
