"""The outbox: reminder rows written, replaced and cancelled in the booking's own transaction."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from scheduling import services
from scheduling.models import AppointmentStatus, MessageStatus, OutboundMessage

from .helpers import booked

S = MessageStatus


def test_booking_writes_every_reminder_in_the_booking_transaction(clinic, protocol, front_desk):
    appointment = booked(clinic, protocol, front_desk)
    rows = {(m.kind, m.channel, round((appointment.starts_at - m.send_at).total_seconds() / 3600))
            for m in appointment.messages.exclude(kind="welcome")}  # fmt: skip
    assert rows == {
        ("appointment", "email", 48), ("appointment", "sms", 48),
        ("appointment", "email", 24), ("appointment", "sms", 24),
        ("escort_patient", "email", 24), ("escort_patient", "sms", 24),
        ("escort_escort", "sms", 24),
    }  # fmt: skip
    assert appointment.messages.filter(kind="welcome").count() == 2
    assert set(appointment.messages.values_list("status", flat=True)) == {S.PENDING}


def test_a_rolled_back_booking_leaves_no_reminder(clinic, protocol, front_desk):
    with pytest.raises(RuntimeError), transaction.atomic():
        booked(clinic, protocol, front_desk)
        assert OutboundMessage.objects.exists()
        raise RuntimeError("the front desk's request failed after booking")
    assert not OutboundMessage.objects.exists()


def test_a_visit_booked_for_tomorrow_gets_one_reminder_of_each_kind_now(
    clinic, protocol, front_desk
):
    appointment = booked(clinic, protocol, front_desk, days_ahead=1)
    reminders = appointment.messages.filter(kind="appointment")
    assert reminders.count() == 2  # email and SMS; the passed 48 h window is dropped
    assert all(m.send_at <= timezone.now() for m in reminders)


def test_rescheduling_cancels_pending_reminders_and_writes_new_ones(clinic, protocol, front_desk):
    appointment = booked(clinic, protocol, front_desk)
    old = set(appointment.messages.exclude(kind="welcome").values_list("pk", flat=True))
    services.appointment_reschedule(
        appointment=appointment, starts_at=appointment.starts_at + datetime.timedelta(days=1),
        changed_by=front_desk,
    )  # fmt: skip
    assert set(OutboundMessage.objects.filter(pk__in=old).values_list("status", flat=True)) == {
        S.CANCELLED
    }
    fresh = appointment.messages.filter(status=S.PENDING).exclude(kind="welcome")
    assert fresh.count() == len(old)
    assert all(m.send_at > timezone.now() + datetime.timedelta(hours=47) for m in fresh[:2])
    assert appointment.messages.filter(kind="welcome", status=S.PENDING).count() == 2


def test_moving_a_visit_away_and_back_writes_fresh_rows(clinic, protocol, front_desk):
    appointment = booked(clinic, protocol, front_desk)
    first = appointment.starts_at
    for when in (first + datetime.timedelta(days=1), first):
        services.appointment_reschedule(
            appointment=appointment, starts_at=when, changed_by=front_desk
        )
    assert appointment.messages.filter(status=S.PENDING).exclude(kind="welcome").count() == 7


def test_cancelling_an_appointment_cancels_its_pending_reminders(clinic, protocol, front_desk):
    appointment = booked(clinic, protocol, front_desk)
    services.appointment_transition(
        appointment=appointment, to_status=AppointmentStatus.CANCELLED, changed_by=front_desk,
        reason="Patient is unwell",
    )  # fmt: skip
    assert set(appointment.messages.values_list("status", flat=True)) == {S.CANCELLED}


def test_a_course_writes_all_its_visits_reminders_in_one_insert(clinic, protocol, front_desk):
    """The rows of every visit of a course go in as the booking's block ends, one statement
    (then the welcome): not one INSERT per visit."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests import helpers as shared

    from .helpers import consenting_patient, local_at

    site, chair, nurse = clinic
    patient = consenting_patient(site, nurse)
    starts = [local_at(site, days, 12) for days in (3, 5, 7)]
    with CaptureQueriesContext(connection) as queries:
        course = shared.book(patient, protocol, site, starts, chair, nurse, front_desk)
    insert = 'INSERT INTO "scheduling_outboundmessage"'
    inserts = [q for q in queries if q["sql"].startswith(insert)]
    assert len(inserts) == 2  # the visits' reminders, then the welcome
    for visit in course.appointments.all():
        assert visit.messages.exclude(kind="welcome").count() == 7


def test_rows_held_in_a_block_are_written_before_a_cancel_and_never_when_it_raises(
    clinic, protocol, front_desk
):
    from scheduling.reminders import outbox
    from tests.helpers import make_appointment

    site, chair, nurse = clinic
    visit = make_appointment(
        site=site, nurse=nurse, protocol=protocol,
        starts_at=timezone.now() + datetime.timedelta(days=3),
    )  # fmt: skip
    with pytest.raises(RuntimeError), transaction.atomic(), outbox.written_together():
        outbox.on_appointment_changed(visit, "booked")
        raise RuntimeError("refused after the visit's reminders were made")
    assert not visit.messages.exists()
    with transaction.atomic(), outbox.written_together():
        outbox.on_appointment_changed(visit, "booked")
        assert not visit.messages.exists()  # held until the block ends ...
        outbox.cancel_pending(visit, "Appointment cancelled")  # ... or a cancel comes
        assert visit.messages.exists()
        assert set(visit.messages.values_list("status", flat=True)) == {S.CANCELLED}
    assert set(visit.messages.values_list("status", flat=True)) == {S.CANCELLED}
