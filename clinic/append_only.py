"""Clinical entries are a legal record: Postgres itself refuses UPDATE and DELETE on them.

Corrections are new rows. TRUNCATE (used only by the test suite between tests) is not
affected.
"""

import pgtrigger
from django.conf import settings
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


class StatusChange(models.Model):
    """A row of a status history (append-only): who moved it, when and why. The concrete
    model adds what it tracks and its ``from_status``/``to_status`` (or stage) fields; a
    history whose rows may come from the patient or the system makes ``changed_by``
    nullable."""

    changed_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True
        ordering = ["changed_at", "pk"]
        triggers = append_only_triggers()
