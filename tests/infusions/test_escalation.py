"""Issue 18: an alert unacknowledged for the protocol's delay (5 min) is sent once, by
email, to the physicians on duty at that site; the sweep is safe to run twice."""

import datetime

import time_machine
from django.core import mail

from infusions.models import AckAction, AlertEscalation, EscalationStatus
from infusions.services import alert_acknowledge, vitals_record
from infusions.services.escalation import escalation_sweep
from infusions.tasks import alert_escalations
from tests.helpers import ISSUE


def raise_alert(running, nurse, physician):
    physician.email = "doc@example.org"
    physician.save()
    _r, (alert,) = vitals_record(record=running, taken_by=nurse, **ISSUE)
    return alert


def test_nothing_is_sent_before_5_minutes_and_one_row_per_channel_after(running, nurse, physician):
    alert = raise_alert(running, nurse, physician)
    with time_machine.travel(alert.raised_at + datetime.timedelta(minutes=4, seconds=59)):
        assert escalation_sweep() == 0
    with time_machine.travel(alert.raised_at + datetime.timedelta(minutes=5)):
        assert escalation_sweep() == 1
        assert escalation_sweep() == 0  # a second run, or a second worker: nothing new
    rows = AlertEscalation.objects.filter(alert=alert)
    assert list(rows.values_list("channel", "recipient")) == [("email", "doc@example.org")]


def test_the_message_names_the_chair_and_site_but_not_the_patient(running, nurse, physician):
    alert = raise_alert(running, nurse, physician)
    with time_machine.travel(alert.raised_at + datetime.timedelta(minutes=6)):
        escalation_sweep()
    body = AlertEscalation.objects.first().body
    appointment = running.appointment
    assert appointment.chair.name in body and appointment.location.name in body
    assert "unacknowledged" in body
    for phi in (appointment.patient.legal_last_name, appointment.patient.mrn, "186"):
        assert phi not in body


def test_an_acknowledged_alert_is_not_escalated(running, nurse, physician):
    alert = raise_alert(running, nurse, physician)
    alert_acknowledge(alert=alert, by=nurse, action=AckAction.PAUSED)
    with time_machine.travel(alert.raised_at + datetime.timedelta(minutes=10)):
        assert escalation_sweep() == 0


def test_a_physician_of_another_site_is_not_on_duty_here(running, nurse, physician, other_site):
    physician.locations.set([other_site])
    alert = raise_alert(running, nurse, physician)
    with time_machine.travel(alert.raised_at + datetime.timedelta(minutes=10)):
        assert escalation_sweep() == 0


def test_the_task_sends_each_row_once(running, nurse, physician):
    alert = raise_alert(running, nurse, physician)
    with time_machine.travel(alert.raised_at + datetime.timedelta(minutes=5)):
        assert alert_escalations() == 1
        assert alert_escalations() == 0
    assert [m.to for m in mail.outbox] == [["doc@example.org"]]
    assert set(AlertEscalation.objects.values_list("status", flat=True)) == {EscalationStatus.SENT}


def test_an_alert_older_than_12_hours_is_not_escalated(running, nurse, physician):
    alert = raise_alert(running, nurse, physician)
    with time_machine.travel(alert.raised_at + datetime.timedelta(hours=12, minutes=1)):
        assert escalation_sweep() == 0
