"""Clinical entries are a legal record: Postgres itself refuses UPDATE and DELETE on them.

Corrections are new rows. TRUNCATE (used only by the test suite between tests) is not
affected.
"""

import pgtrigger
from django.db import models
from django.db.models import Q


def append_only_triggers() -> list:
    return [
        pgtrigger.Protect(name="append_only_no_update", operation=pgtrigger.Update),
        pgtrigger.Protect(name="append_only_no_delete", operation=pgtrigger.Delete),
    ]


def correction_has_reason(name: str, message: str) -> models.CheckConstraint:
    """An entry that ``corrects`` another says why; an original entry has no reason."""
    return models.CheckConstraint(
        condition=Q(corrects__isnull=True, correction_reason="")
        | (Q(corrects__isnull=False) & ~Q(correction_reason="")),
        name=name,
        violation_error_message=message,
    )
