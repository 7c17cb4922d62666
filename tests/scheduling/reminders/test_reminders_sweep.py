"""The sweep: claiming due rows, and what happens to rows whose worker never came back."""

import datetime

from django.db import connection
from django.utils import timezone

from scheduling.models import MessageStatus, OutboundMessage
from scheduling.reminders import dispatch, sending

from .helpers import booked, make_due

S = MessageStatus


def test_a_stuck_claim_is_requeued_but_an_interrupted_send_is_never_repeated(
    clinic, protocol, front_desk
):
    appointment = booked(clinic, protocol, front_desk)
    never_started, interrupted = make_due(appointment, kind="appointment")[:2]
    dispatch.claim_due()
    long_ago = timezone.now() - datetime.timedelta(minutes=11)
    OutboundMessage.objects.filter(pk__in=[never_started, interrupted]).update(claimed_at=long_ago)
    OutboundMessage.objects.filter(pk=interrupted).update(attempt_started_at=long_ago)
    assert dispatch.reclaim_stuck() == (1, 1)
    assert OutboundMessage.objects.get(pk=never_started).status == S.PENDING
    assert OutboundMessage.objects.get(pk=interrupted).status == S.FAILED


def test_a_sweep_claims_only_due_rows_and_a_second_sweep_finds_them_taken(
    clinic, protocol, front_desk
):
    appointment = booked(clinic, protocol, front_desk)
    welcome = list(appointment.messages.filter(kind="welcome").values_list("pk", flat=True))
    due = make_due(appointment, kind="appointment") + welcome  # welcome: due on booking
    claimed = dispatch.claim_due()
    assert sorted(claimed) == sorted(due)
    rows = OutboundMessage.objects.filter(pk__in=due)
    assert {(m.status, m.attempt_started_at) for m in rows} == {(S.SENDING, None)}
    assert all(m.claimed_at for m in rows)
    assert dispatch.claim_due() == []
    waiting = appointment.messages.exclude(pk__in=due)
    assert waiting.exists() and all(
        m.status == S.PENDING and m.send_at > timezone.now() for m in waiting
    )


def test_per_row_updates_find_their_row_by_id_however_stale_the_statistics(
    clinic, protocol, front_desk
):
    """A burst (the 08:00 release after quiet hours) puts thousands of rows in "sending"
    while Postgres's statistics still say none are. The per-row UPDATE must then still find
    its row by id, not scan every sending row (that made 10,000 rows quadratic)."""
    appointment = booked(clinic, protocol, front_desk)
    now = timezone.now()
    OutboundMessage.objects.bulk_create(
        OutboundMessage(appointment=appointment, kind="appointment", channel="sms",
                        send_at=now - datetime.timedelta(seconds=n))
        for n in range(1, 400)
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE scheduling_outboundmessage")  # statistics: nothing sending
    ids = dispatch.claim_due(limit=1000)
    assert len(ids) >= 399
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN " + sending._MARK_SENT, [S.SENT, now, "file-x", ids[len(ids) // 2], S.SENDING]
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Cond: (id = " in plan, plan
