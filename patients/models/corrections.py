"""The database's own guard for corrections of append-only patient rows.

A correction is a new row whose ``corrects`` points at the mistaken one. Its reason is a check
constraint and "at most one correction per row" is the one-to-one's unique index; this
trigger adds what a constraint cannot see: the corrected row is of the same patient (and,
for outcome measures, the same kind of measure).
"""

import pgtrigger


def correction_same_patient_trigger(table: str, *columns: str) -> pgtrigger.Trigger:
    columns = ("patient_id", *columns)
    same = " AND ".join(f"old_row.{name} = NEW.{name}" for name in columns)
    return pgtrigger.Trigger(
        name="correction_same_patient",
        when=pgtrigger.Before,
        operation=pgtrigger.Insert,
        # Table and column names are this module's constants, never input.
        func=f"""
IF NEW.corrects_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM {table} AS old_row WHERE old_row.id = NEW.corrects_id AND {same}
) THEN
  RAISE EXCEPTION 'a correction must be of the same patient ({", ".join(columns)})';
END IF;
RETURN NEW;
""",  # noqa: S608
    )
