"""The front desk's counts, exactly: tomorrow's unconfirmed escorts (each site's tomorrow;
cancelled visits and confirmed escorts not counted), failed reminders for today's and
tomorrow's visits, website requests not contacted."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from patients.models import ConsultationRequest
from scheduling import services
from scheduling.models import Appointment, AppointmentStatus, MessageStatus, OutboundMessage
from scheduling.selectors.work import desk_work_waiting
from tests.factories import PatientFactory
from tests.helpers import LA, at, make_bookable, next_monday

pytestmark = pytest.mark.usefixtures("shifts")


def counts(user):
    return {item.key: item.count for item in desk_work_waiting(user)}


def test_the_desks_counts(front_desk, nurse, site, other_site, chairs, protocol):
    assert counts(front_desk) == dict.fromkeys(
        (
            "requests_not_contacted",
            "requests_overdue",
            "escorts_tomorrow",
            "failed_reminders",
            "benefits_checks_due",
            "estimates_due",
            "chairs_to_fill",
            "charges_to_review",
        ),
        0,
    )
    wednesday = next_monday() + datetime.timedelta(days=2)  # shifts cover 45 days from today
    with time_machine.travel(at(wednesday, 10), tick=False):
        check_the_desks_counts(front_desk, nurse, site, other_site, chairs, protocol)


def check_the_desks_counts(front_desk, nurse, site, other_site, chairs, protocol):
    tomorrow = timezone.now().astimezone(LA).date() + datetime.timedelta(days=1)
    days, day = [], tomorrow
    while len(days) < 8:
        if day.weekday() != 6:
            days.append(day)
        day += datetime.timedelta(days=2)
    visits = []
    for hour in (9, 12, 15):
        who = make_bookable(PatientFactory(home_location=site), nurse)
        course = services.course_book(
            patient=who, protocol=protocol, location=site, booked_by=front_desk,
            sessions=[services.SessionRequest(at(day, hour), chairs[0], nurse) for day in days],
        )  # fmt: skip
        visits.append(course.appointments.get(sequence=1))
    cancelled, confirmed, waiting = visits
    services.appointment_transition(
        appointment=cancelled, to_status=AppointmentStatus.CANCELLED, changed_by=front_desk,
        reason="Flu",
    )  # fmt: skip
    Appointment.objects.filter(pk=confirmed.pk).update(escort_confirmed=True)
    OutboundMessage.objects.filter(appointment=waiting).update(status=MessageStatus.PENDING)
    message = OutboundMessage.objects.filter(appointment=waiting).first()
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.FAILED, reason="Provider error"
    )
    ConsultationRequest.objects.create(name="A", phone="+19495550100", preferred_location=site)
    ConsultationRequest.objects.create(
        name="B", phone="+19495550101", preferred_location=other_site
    )  # not the desk's site
    assert counts(front_desk) == {
        "requests_not_contacted": 1, "requests_overdue": 0, "escorts_tomorrow": 1,
        "failed_reminders": 1,
        "benefits_checks_due": 0, "estimates_due": 3,  # billing's: three self-pay courses
        "chairs_to_fill": 0,  # the waitlist's: nobody waits
        "charges_to_review": 0,  # billing's: no infusion completed
    }  # fmt: skip
