"""A small clinic week whose report numbers are worked out by hand in the tests.

The rows are written directly (no booking rules, no charting steps): the reports read facts
that the services wrote long ago, and what matters here is exactly which facts exist.
Times that Django stamps itself (``booked_at``, ``created_at``, ``changed_at``) are set by
travelling there with time_machine.

Irvine (America/Los_Angeles), 2 chairs, open Monday to Friday 09:00-17:00. The week of
Monday 2026-02-02 to Sunday 2026-02-08 (no federal holiday). Every visit holds its chair for
two hours (the infusion from +15 to +55 minutes):

  #  when       course  status               notes
  1  Mon 09:00  C1      completed            escort confirmed by phone; sms+email sent
  2  Mon 11:00  C2      completed            escort confirmed (link); sms failed
  3  Tue 09:00  C2      no-show              email skipped
  4  Wed 09:00  C3      cancelled 2 h before  (late)       an sms cancelled (left out)
  5  Thu 09:00  C3      cancelled 3 days before (in time)
  6  Fri 09:00  C1      completed            escort confirmed
  7  Fri 13:00  C3      scheduled            (not marked yet)
  8  Wed 13:00  C4      completed
  9  Fri 02-13  C5      completed            outside the week: the phone lead's first infusion

San Diego has opening hours but no chair, and nothing booked.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.auth.models import Group

from clinic.models import Location, User
from clinic.roles import Role
from infusions.models import InfusionRecord
from infusions.models.charting import Alert, InfusionEvent, VitalsReading
from infusions.models.discharge import Correction
from patients.models import ConsultationRequest, OutcomeMeasure
from scheduling.models import (
    Appointment,
    AppointmentStatusChange,
    Chair,
    Course,
    OpeningHours,
    OutboundMessage,
)
from tests.factories import LocationFactory, PatientFactory, ProtocolFactory, UserFactory
from waitlist.models import WaitlistEntry, WaitlistStatusChange

LA = ZoneInfo("America/Los_Angeles")
MONDAY = datetime.date(2026, 2, 2)
SUNDAY = datetime.date(2026, 2, 8)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LA)


def day(offset: int) -> datetime.date:
    return MONDAY + datetime.timedelta(days=offset)


def open_weekdays(location: Location, days=range(5), opens=9, closes=17) -> None:
    for weekday in days:
        OpeningHours.objects.create(
            location=location,
            weekday=weekday,
            opens_at=datetime.time(opens),
            closes_at=datetime.time(closes),
        )


def visit(course, chair, nurse, starts, status, **fields) -> Appointment:
    return Appointment.objects.create(
        course=course, patient=course.patient, location=course.location, chair=chair,
        nurse=nurse, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2),
        infusion_starts_at=starts + datetime.timedelta(minutes=15),
        infusion_ends_at=starts + datetime.timedelta(minutes=55), status=status, **fields,
    )  # fmt: skip


def infusion(appointment, nurse) -> InfusionRecord:
    return InfusionRecord.objects.create(
        appointment=appointment,
        protocol_version=appointment.course.protocol.current_version,
        status="discharged",
        checked_in_at=appointment.starts_at,
        started_at=appointment.infusion_starts_at,
        ended_at=appointment.infusion_ends_at,
        checked_in_by=nurse,
    )


def alert(record, nurse, minutes: int) -> Alert:
    reading = VitalsReading.objects.create(
        record=record, taken_at=record.started_at + datetime.timedelta(minutes=minutes),
        phase="during", systolic_mmhg=190, diastolic_mmhg=100, pulse_bpm=80, spo2_percent=97,
        taken_by=nurse,
    )  # fmt: skip
    return Alert.objects.create(
        record=record, reading=reading, protocol_version=record.protocol_version,
        message="Systolic 190 > 180",
    )  # fmt: skip


def side_effect(record, nurse, effect, severity) -> InfusionEvent:
    return InfusionEvent.objects.create(
        record=record, kind="side_effect", occurred_at=record.started_at, side_effect=effect,
        severity=severity, by=nurse,
    )  # fmt: skip


def pain(patient, score, when, by, corrects=None) -> OutcomeMeasure:
    with time_machine.travel(when):
        return OutcomeMeasure.objects.create(
            patient=patient, kind="pain_nrs", answers={"pain": score}, score=score,
            context="pre_infusion", recorded_by=by, taken_at=when, corrects=corrects,
            correction_reason="Typed 2 for 5." if corrects else "",
        )  # fmt: skip


def course(patient, protocol, location, status, desk) -> Course:
    with time_machine.travel(at(MONDAY, 8)):
        return Course.objects.create(
            patient=patient, protocol=protocol, location=location, planned_infusions=8,
            status=status, booked_by=desk,
        )  # fmt: skip


def cancel(appointment, when, by) -> None:
    with time_machine.travel(when):
        AppointmentStatusChange.objects.create(
            appointment=appointment, from_status="scheduled", to_status="cancelled", changed_by=by
        )


def message(appointment, channel, status, kind="appointment") -> OutboundMessage:
    return OutboundMessage.objects.create(
        appointment=appointment, kind=kind, channel=channel, status=status,
        send_at=appointment.starts_at - datetime.timedelta(hours=2),
    )  # fmt: skip


def lead(location, source, created, patient=None) -> ConsultationRequest:
    with time_machine.travel(created):
        return ConsultationRequest.objects.create(
            name="A caller", phone="+19495550100", preferred_location=location, source=source,
            patient=patient, stage="registered" if patient else "new",
        )  # fmt: skip


def waitlist(patient, location, joined, outcome=None, moved=None, by=None) -> WaitlistEntry:
    with time_machine.travel(joined):
        entry = WaitlistEntry.objects.create(
            patient=patient, location=location, wish="start_sooner", created_by=by,
            status=outcome or "active",
        )  # fmt: skip
    if outcome:
        with time_machine.travel(moved):
            WaitlistStatusChange.objects.create(
                entry=entry, from_status="active", to_status=outcome, changed_by=by
            )
    return entry


@dataclass
class World:
    irvine: Location
    san_diego: Location
    desk: User
    appointments: dict


def build_world() -> World:
    irvine = LocationFactory(name="Irvine", code="irvine")
    san_diego = LocationFactory(name="San Diego", code="san-diego")
    open_weekdays(irvine)
    open_weekdays(san_diego)
    chairs = [Chair.objects.create(location=irvine, name=f"Chair {n}") for n in (1, 2)]
    desk = UserFactory(username="world-desk", role=Role.FRONT_DESK, locations=[irvine])
    nurse = UserFactory(username="world-nurse", role=Role.NURSE, locations=[irvine])
    assert Group.objects.filter(name=Role.NURSE.label).exists()
    slow, fast = ProtocolFactory(name="Alpha 0.5 mg/kg"), ProtocolFactory(name="Beta 1 mg/kg")
    p1, p2, p3, p4, p5 = (PatientFactory(home_location=irvine) for _ in range(5))
    c1 = course(p1, slow, irvine, "completed", desk)
    c2 = course(p2, slow, irvine, "abandoned", desk)
    c3 = course(p3, fast, irvine, "active", desk)
    c4 = course(p4, slow, irvine, "completed", desk)
    with time_machine.travel(at(day(-20), 12)):  # booked before the week
        c5 = Course.objects.create(
            patient=p5, protocol=slow, location=irvine, planned_infusions=8, status="active",
            booked_by=desk,
        )  # fmt: skip
    with time_machine.travel(at(day(-7), 12)):  # all booked the week before
        a = {
            1: visit(c1, chairs[0], nurse, at(day(0), 9), "completed", escort_confirmed=True,
                     escort_confirmed_by=desk),
            2: visit(c2, chairs[0], nurse, at(day(0), 11), "completed", escort_confirmed=True),
            3: visit(c2, chairs[0], nurse, at(day(1), 9), "no_show"),
            4: visit(c3, chairs[0], nurse, at(day(2), 9), "cancelled"),
            5: visit(c3, chairs[0], nurse, at(day(3), 9), "cancelled"),
            6: visit(c1, chairs[0], nurse, at(day(4), 9), "completed", escort_confirmed=True),
            7: visit(c3, chairs[1], nurse, at(day(4), 13), "scheduled"),
            8: visit(c4, chairs[1], nurse, at(day(2), 13), "completed"),
            9: visit(c5, chairs[0], nurse, at(day(11), 9), "completed"),
        }  # fmt: skip
    cancel(a[4], at(day(2), 7), desk)
    cancel(a[5], at(day(0), 9), desk)

    message(a[1], "sms", "sent")
    message(a[1], "email", "sent")
    message(a[2], "sms", "failed")
    message(a[3], "email", "skipped")
    message(a[4], "sms", "cancelled")

    records = {n: infusion(a[n], nurse) for n in (1, 2, 6, 8, 9)}
    alert(records[1], nurse, 10)
    alert(records[2], nurse, 10)
    alert(records[2], nurse, 20)
    alert(records[9], nurse, 10)  # outside the week
    side_effect(records[1], nurse, "nausea", "mild")
    side_effect(records[6], nurse, "dissociation", "severe")
    wrong = side_effect(records[6], nurse, "anxiety", "moderate")
    Correction.objects.create(record=records[6], event=wrong, reason="Another patient's.", by=nurse)

    # C1 (P1): pain 8 before the first infusion, 5 after the last: 37.5% less, a responder.
    pain(p1, 8, at(day(0), 8, 50), nurse)
    pain(p1, 5, at(day(4), 11, 30), nurse)
    # C4 (P4): pain 6 before; after, a 2 corrected to 5: 16.7% less, not a responder.
    pain(p4, 6, at(day(2), 13, 5), nurse)
    typo = pain(p4, 2, at(day(2), 14, 30), nurse)
    pain(p4, 5, at(day(2), 14, 30), nurse, corrects=typo)

    # Leads: website (P1, 9 h to the first infusion), website (no patient), phone (P5, 10 days
    # to the first infusion), referral (P4, registered after their infusion: none after).
    lead(irvine, "website", at(day(0), 0, 15), p1)
    lead(irvine, "website", at(day(2), 10))
    lead(irvine, "phone", at(day(1), 9, 15), p5)
    lead(irvine, "referral", at(day(3), 10), p4)

    # Waitlist: P3 joined Mon, filled Thu (3 days); P2 joined Tue, withdrew Sat; P5 joined
    # 2026-01-20, filled Wed (15 days): added 2, filled 2 (median 9 days), withdrawn 1.
    waitlist(p3, irvine, at(day(0), 10), "filled", at(day(3), 10), desk)
    waitlist(p2, irvine, at(day(1), 10), "withdrawn", at(day(5), 10), desk)
    waitlist(p5, irvine, at(day(-13), 10), "filled", at(day(2), 10), desk)
    return World(irvine, san_diego, desk, a)
