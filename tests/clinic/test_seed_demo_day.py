"""The demo clinic at any time: idempotent, topped up on a later day, and today's board at
the always-open demo site in every state the README promises (time machine)."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from clinic.models import Location, User
from infusions.models import Alert, DrugLogEntry, InfusionRecord, InfusionStatus, Lot
from infusions.services import double_check_state
from patients.models import ConsultationRequest, OutcomeMeasure, Patient, Phq9FollowUp
from scheduling.models import (
    Appointment,
    AppointmentStatus,
    ClosedDay,
    NurseShift,
    OutboundMessage,
)

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
S = InfusionStatus


def seed():
    with open("/dev/null", "w") as out:
        call_command("seed_demo", stdout=out)


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Location, User, Patient, Appointment, InfusionRecord, NurseShift,
                      ClosedDay, Lot, DrugLogEntry, OutcomeMeasure, ConsultationRequest, Alert)
    }  # fmt: skip


def today_at_demo_site():
    site = Location.objects.get(code="costa-mesa")
    midnight = datetime.datetime.combine(timezone.localdate(), datetime.time(0), LA)
    records = InfusionRecord.objects.filter(appointment__location=site, checked_in_at__gte=midnight)
    return site, records


@pytest.fixture
def dev(settings):
    settings.DEV = True


def test_at_four_pm_on_a_weekday_the_demo_site_has_every_state_of_a_working_day(db, dev):
    with time_machine.travel(datetime.datetime(2026, 12, 2, 16, 0, tzinfo=LA), tick=False):
        seed()
        site, records = today_at_demo_site()
        statuses = list(records.values_list("status", flat=True))
        assert statuses.count(S.DISCHARGED) == 2
        assert S.RECOVERY in statuses and statuses.count(S.RUNNING) == 2
        sent_home = records.get(status=S.NOT_GIVEN)  # blood pressure too high: not given
        assert sent_home.appointment.status == AppointmentStatus.CANCELLED
        assert sent_home.alerts.get().acknowledgement.action == "held"
        running = records.filter(status=S.RUNNING)
        vitals = [r.vitals.count() for r in running]
        assert min(vitals) >= 2  # baseline and readings every 10 minutes up to now
        assert Alert.objects.filter(acknowledgements__isnull=True).exists()
        orders = [r.appointment.dose_orders.first() for r in records.filter(status=S.CHECKED_IN)]
        states = {double_check_state(o) for o in orders if o and o.status == "signed"}
        assert "partial" in states  # waiting for the second nurse's blind double-check
        assert any(o and o.status == "unsigned" for o in orders)
        assert Appointment.objects.filter(location=site, status=AppointmentStatus.NO_SHOW).exists()
        assert DrugLogEntry.objects.filter(lot__location=site).exists()
        assert NurseShift.objects.filter(location__code="san-diego").exists()
        assert ConsultationRequest.objects.exists()
        assert Phq9FollowUp.objects.exists()
        assert Patient.objects.count() >= 40
        mid_course = (
            Patient.objects.filter(appointments__infusion_record__status=S.DISCHARGED)
            .filter(appointments__status=AppointmentStatus.SCHEDULED)
            .distinct()
        )
        assert mid_course.count() >= 4  # past visits charted in full, the rest ahead
        reminders = set(OutboundMessage.objects.values_list("status", "reason"))
        assert {status for status, _ in reminders} >= {"sent", "failed", "skipped"}
        assert all(reason for status, reason in reminders if status in ("failed", "skipped"))


def test_a_second_run_the_same_day_changes_nothing_and_a_later_day_is_topped_up(db, dev):
    with time_machine.travel(datetime.datetime(2026, 12, 2, 11, 0, tzinfo=LA), tick=False):
        seed()
        before = counts()
        seed()
        assert counts() == before
    with time_machine.travel(datetime.datetime(2026, 12, 3, 15, 30, tzinfo=LA), tick=False):
        seed()
        site, records = today_at_demo_site()
        day = records.filter(checked_in_at__date=datetime.date(2026, 12, 3))
        assert day.filter(status=S.RUNNING).exists()
        again = counts()
        seed()
        assert counts() == again
    assert again["Patient"] > before["Patient"] and again["Location"] == before["Location"]


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2026, 12, 3, 0, 5, tzinfo=LA),  # just after midnight
        datetime.datetime(2026, 12, 6, 10, 0, tzinfo=LA),  # a Sunday
    ],
)
def test_the_seed_runs_just_after_midnight_and_on_a_sunday(db, dev, moment):
    with time_machine.travel(moment, tick=False):
        seed()
        before = counts()
        seed()
        assert counts() == before
        site, records = today_at_demo_site()
        assert Appointment.objects.filter(location=site).exists()
    if moment.weekday() == 6:  # the demo site works on Sundays: the board is full
        assert records.filter(status=S.RUNNING).exists()


@pytest.mark.federal_holidays
def test_on_a_federal_holiday_the_demo_site_works_and_the_office_sites_are_closed(db, dev):
    from scheduling.closures import closed_reason

    christmas = datetime.datetime(2026, 12, 25, 11, 0, tzinfo=LA)
    with time_machine.travel(christmas, tick=False):
        seed()
        site, records = today_at_demo_site()
        assert records.filter(status=S.RUNNING).exists()
        assert closed_reason(site, christmas.date()) is None
        irvine = Location.objects.get(code="irvine")
        assert "Christmas" in closed_reason(irvine, christmas.date())
        assert not Appointment.objects.filter(
            location=irvine, starts_at__date=christmas.date()
        ).exists()
