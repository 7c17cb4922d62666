import datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from scheduling import services
from scheduling.models import (
    Appointment,
    AppointmentStatus,
    CalendarFeed,
    ChairOutOfService,
    ClosedDay,
    LocationSchedule,
    NurseShift,
    VisitTemplate,
)
from scheduling.services import SessionRequest
from tests.helpers import at, next_monday

pytestmark = pytest.mark.usefixtures("shifts")

REGISTERED = {
    model._meta.model_name: model_admin
    for model, model_admin in admin.site._registry.items()
    if model._meta.app_label == "scheduling"
}
MODELS = sorted(REGISTERED)


def url(model_name, view="changelist", *args):
    return reverse(f"admin:scheduling_{model_name}_{view}", args=args)


@pytest.fixture
def course(patient, protocol, site, chairs, nurse, front_desk):
    """A booked course and one of every other scheduling record, so no page is empty."""
    day, starts = next_monday(), []
    while len(starts) < 8:
        if day.weekday() in (0, 2, 4):
            starts.append(at(day, 9))
        day += datetime.timedelta(days=1)
    course = services.course_book(
        patient=patient, protocol=protocol, location=site, booked_by=front_desk,
        sessions=[SessionRequest(s, chairs[0], nurse) for s in starts],
    )  # fmt: skip
    LocationSchedule.objects.create(location=site)
    VisitTemplate.objects.create(name="Standard", is_default=True)
    ClosedDay.objects.create(location=site, date=next_monday(), reason="Staff training")
    ChairOutOfService.objects.create(
        chair=chairs[1], starts_at=at(day, 8), ends_at=at(day, 12), reason="Repair"
    )
    CalendarFeed.objects.create(patient=patient, token="secret-token", created_by=front_desk)
    return course


def test_every_scheduling_model_is_registered_in_the_admin():
    assert set(MODELS) == {
        "appointment", "appointmentstatuschange", "calendarfeed", "chair", "chairoutofservice",
        "closedday", "consultation", "consultationstatuschange", "course",
        "courseprotocolchange", "locationschedule", "nurseshift", "openinghours", "visittemplate",
        "reminderrule", "messagetemplate", "outboundmessage", "smsoptout",
    }  # fmt: skip


@pytest.mark.parametrize("model_name", MODELS)
def test_a_clinic_admin_opens_every_scheduling_changelist_and_record(
    client, clinic_admin, course, model_name
):
    client.force_login(clinic_admin)
    listed = client.get(url(model_name), {"q": "a"})
    assert listed.status_code == 200
    assert client.get(url(model_name)).status_code == 200
    first = REGISTERED[model_name].get_queryset(listed.wsgi_request).first()
    if first is not None:  # e.g. no SMS opt-out has been recorded
        assert client.get(url(model_name, "change", first.pk)).status_code == 200


def test_appointments_cannot_be_edited_in_the_admin(client, clinic_admin, course):
    client.force_login(clinic_admin)
    first = course.appointments.get(sequence=1)
    later = first.starts_at + datetime.timedelta(hours=2)
    client.post(
        url("appointment", "change", first.pk), {"starts_at_0": later, "status": "completed"}
    )
    first.refresh_from_db()
    assert first.status == "scheduled" and first.starts_at != later
    assert client.get(url("appointment", "add")).status_code == 403
    assert client.get(url("course", "add")).status_code == 403


def test_confirming_in_the_admin_goes_through_the_transition_service(client, clinic_admin, course):
    client.force_login(clinic_admin)
    first, second = course.appointments.order_by("sequence")[:2]
    services.appointment_transition(
        appointment=second, to_status="cancelled", changed_by=clinic_admin, reason="Unwell"
    )
    response = client.post(
        url("appointment"), {"action": "confirm", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )  # fmt: skip
    assert response.status_code == 200
    first.refresh_from_db()
    assert first.status == AppointmentStatus.CONFIRMED
    assert first.status_changes.last().changed_by == clinic_admin
    assert Appointment.objects.get(pk=second.pk).status == "cancelled"
    assert "cannot become confirmed" in response.content.decode()


def test_a_clinic_admin_adds_a_shift_but_cannot_remove_one_with_bookings(
    client, clinic_admin, course, another_nurse, site, nurse
):
    client.force_login(clinic_admin)
    day = next_monday() + datetime.timedelta(days=60)
    added = client.post(url("nurseshift", "add"), {
        "nurse": another_nurse.pk, "location": site.pk,
        "starts_at_0": day.isoformat(), "starts_at_1": "07:00",
        "ends_at_0": day.isoformat(), "ends_at_1": "19:00",
    })  # fmt: skip
    assert added.status_code == 302, added.context["adminform"].form.errors
    first = course.appointments.get(sequence=1)
    busy = NurseShift.objects.get(nurse=nurse, starts_at__lte=first.infusion_starts_at,
                                  ends_at__gte=first.infusion_ends_at)  # fmt: skip
    assert client.get(url("nurseshift", "delete", busy.pk)).status_code == 403
    assert NurseShift.objects.filter(pk=busy.pk).exists()


def test_the_front_desk_cannot_edit_the_clinics_capacity(client, front_desk, course):
    front_desk.is_staff = True
    front_desk.save()
    client.force_login(front_desk)
    assert client.get(url("openinghours")).status_code == 403
    assert client.get(url("chair")).status_code == 200  # their group may view chairs
    assert client.get(url("chair", "add")).status_code == 403
