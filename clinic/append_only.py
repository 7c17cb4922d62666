"""Clinical entries are a legal record: Postgres itself refuses UPDATE and DELETE on them.

Corrections are new rows. TRUNCATE (used only by the test suite between tests) is not
affected.
"""

import pgtrigger


def append_only_triggers() -> list:
    return [
        pgtrigger.Protect(name="append_only_no_update", operation=pgtrigger.Update),
        pgtrigger.Protect(name="append_only_no_delete", operation=pgtrigger.Delete),
    ]
