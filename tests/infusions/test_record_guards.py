"""The infusion record's status and billing times are guarded in the database: the status
column can only follow the append-only status history, and the start and end times (CPT 96365
needs more than 15 minutes) and the mg administered are set once, to the history's times.
Raw SQL is refused just as the ORM is."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from infusions.models import InfusionRecord, InfusionStatus
from infusions.services import infusion_complete
from tests.chair_clock import advance


def refused(sql: str, *params) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_start_time_is_set_once_and_equals_the_move_to_running(running):
    stored = InfusionRecord.objects.get(pk=running.pk)
    running_at = running.statuses.get(to_status=InfusionStatus.RUNNING).at
    assert stored.started_at == running_at
    refused("UPDATE infusions_infusionrecord SET started_at = started_at - interval '20 minutes'"
            " WHERE id = %s", running.pk)  # fmt: skip
    refused("UPDATE infusions_infusionrecord SET started_at = NULL WHERE id = %s", running.pk)
    refused("UPDATE infusions_infusionrecord SET order_id = NULL WHERE id = %s", running.pk)
    assert InfusionRecord.objects.get(pk=running.pk).started_at == running_at


def test_a_start_time_without_a_move_to_running_is_refused(record):
    refused("UPDATE infusions_infusionrecord SET started_at = now() WHERE id = %s", record.pk)


def test_the_end_time_and_mg_given_are_set_once(running, nurse):
    advance(41)
    infusion_complete(record=running, by=nurse, administered_mg=Decimal("34.9"))
    stored = InfusionRecord.objects.get(pk=running.pk)
    assert stored.ended_at == running.statuses.get(to_status=InfusionStatus.COMPLETED).at
    refused("UPDATE infusions_infusionrecord SET ended_at = ended_at + interval '1 hour'"
            " WHERE id = %s", running.pk)  # fmt: skip
    refused("UPDATE infusions_infusionrecord SET administered_mg = 50 WHERE id = %s", running.pk)
    stored.refresh_from_db()
    assert stored.administered_mg == Decimal("34.90")


def test_the_status_column_cannot_leave_the_history(running):
    refused("UPDATE infusions_infusionrecord SET status = 'discharged' WHERE id = %s", running.pk)
    assert InfusionRecord.objects.get(pk=running.pk).status == InfusionStatus.RUNNING


def test_the_check_in_never_changes_and_a_record_is_never_deleted(record):
    refused("UPDATE infusions_infusionrecord SET checked_in_at = now() - interval '1 hour'"
            " WHERE id = %s", record.pk)  # fmt: skip
    refused("DELETE FROM infusions_infusionrecord WHERE id = %s", record.pk)
    assert InfusionRecord.objects.filter(pk=record.pk).exists()
