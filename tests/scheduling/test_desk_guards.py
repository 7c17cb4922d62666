"""What the desk's scheduling stops that a careful colleague would: a second course booked
beside one still running (two infusions on the same days), a no-show marked for a visit
still to come, a deactivated patient's visits left on the schedule."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from patients import services as patients
from scheduling import services
from scheduling.models import (
    Appointment,
    AppointmentStatus,
    CourseStatus,
    MessageStatus,
    OutboundMessage,
)
from tests.helpers import book, book_course, mon_wed_fri, next_monday

pytestmark = pytest.mark.usefixtures("shifts")
S = AppointmentStatus


@pytest.fixture
def course(patient, protocol, site, chairs, nurse, front_desk):
    return book_course(patient, protocol, site, chairs[0], nurse, front_desk, count=8)


def test_a_second_course_beside_one_still_booked_is_refused(
    course, patient, protocol, site, chairs, nurse, front_desk
):
    afternoons = mon_wed_fri(next_monday(), 8, 14)  # the same days, 14:00
    with pytest.raises(ValidationError) as refused:
        book(patient, protocol, site, afternoons, chairs[1], nurse, front_desk)
    assert "already has a course booked" in str(refused.value.message_dict["patient"])
    assert Appointment.objects.filter(patient=patient).count() == 8
    # Once its remaining sessions are cancelled, a new course may be booked.
    services.course_cancel_remaining(course=course, changed_by=front_desk, reason="Restart")
    book(patient, protocol, site, afternoons, chairs[1], nurse, front_desk)


def test_the_planner_names_the_course_already_booked(login, front_desk, course, patient):
    page = login(front_desk).get(reverse("scheduling:planner_blockers"), {"patient": patient.pk})
    assert "already has a course booked" in page.content.decode()


def test_a_visit_still_to_come_is_not_a_no_show(course, front_desk, login, patient):
    later = course.appointments.order_by("starts_at").last()
    with pytest.raises(ValidationError) as refused:
        services.appointment_transition(appointment=later, to_status=S.NO_SHOW,
                                        changed_by=front_desk, reason="Misclick")  # fmt: skip
    assert "not until" in refused.value.message_dict["status"][0]
    later.refresh_from_db()
    assert later.status == S.SCHEDULED
    tab = login(front_desk).get(reverse("scheduling:patient_courses", args=[patient.pk]))
    assert reverse("scheduling:no_show", args=[later.pk]) not in tab.content.decode()


def test_a_visit_whose_time_has_come_may_be_a_no_show(course, front_desk):
    first = course.appointments.order_by("starts_at").first()
    shift = first.starts_at - (timezone.now() - datetime.timedelta(minutes=20))
    Appointment.objects.filter(pk=first.pk).update(
        starts_at=first.starts_at - shift, ends_at=first.ends_at - shift,
        infusion_starts_at=first.infusion_starts_at - shift,
        infusion_ends_at=first.infusion_ends_at - shift,
    )  # fmt: skip
    first.refresh_from_db()
    services.appointment_transition(appointment=first, to_status=S.NO_SHOW,
                                    changed_by=front_desk, reason="Did not come")  # fmt: skip
    assert Appointment.objects.get(pk=first.pk).status == S.NO_SHOW


def test_deactivating_a_patient_cancels_the_visits_still_booked(course, patient, front_desk):
    patients.patient_deactivate(patient=patient, deactivated_by=front_desk,
                                reason="Moved out of state")  # fmt: skip
    statuses = set(course.appointments.values_list("status", flat=True))
    assert statuses == {S.CANCELLED}
    course.refresh_from_db()
    assert course.status == CourseStatus.CANCELLED
    reasons = {
        change.reason
        for visit in course.appointments.all()
        for change in visit.status_changes.filter(to_status=S.CANCELLED)
    }
    assert reasons == {"Patient record deactivated: Moved out of state"}
    assert not OutboundMessage.objects.filter(
        appointment__patient=patient, status=MessageStatus.PENDING
    ).exists()


def test_a_patient_checked_in_now_is_not_deactivated(course, patient, front_desk):
    today = course.appointments.order_by("starts_at").first()
    Appointment.objects.filter(pk=today.pk).update(status=S.CHECKED_IN)
    with pytest.raises(ValidationError) as refused:
        patients.patient_deactivate(patient=patient, deactivated_by=front_desk, reason="Moved")
    assert "checked in" in str(refused.value)
    patient.refresh_from_db()
    assert patient.is_active
    assert course.appointments.filter(status=S.SCHEDULED).count() == 7


def test_opening_hours_that_would_leave_booked_visits_outside_are_refused(
    course, site, clinic_admin
):
    """The course runs Mon/Wed/Fri at 09:00: Mondays from 11:00, or Wednesdays closed,
    would leave visits outside the hours; the hours stay as they were."""
    from clinic.errors import ConflictError
    from scheduling.models import OpeningHours
    from scheduling.services import site_setup

    with pytest.raises(ConflictError) as refused:
        site_setup.opening_hours_set(
            actor=clinic_admin, location=site, weekday=0,
            opens_at=datetime.time(11), closes_at=datetime.time(18),
        )  # fmt: skip
    assert "outside 11:00-18:00" in str(refused.value)
    with pytest.raises(ConflictError) as refused:
        site_setup.opening_hours_set(actor=clinic_admin, location=site, weekday=2,
                                     opens_at=None, closes_at=None)  # fmt: skip
    assert "on a closed day" in str(refused.value)
    assert OpeningHours.objects.filter(location=site).count() == 6
    assert OpeningHours.objects.get(location=site, weekday=0).opens_at == datetime.time(8)
    # Hours that still hold every visit are saved; a weekday with none may close.
    site_setup.opening_hours_set(
        actor=clinic_admin, location=site, weekday=0,
        opens_at=datetime.time(9), closes_at=datetime.time(17),
    )  # fmt: skip
    site_setup.opening_hours_set(actor=clinic_admin, location=site, weekday=1,
                                 opens_at=None, closes_at=None)  # fmt: skip


def test_a_nurse_taken_off_a_site_leaves_her_work_named_for_the_admin(
    course, login, clinic_admin, nurse, site
):
    """Deactivated (a leaver: at once, whatever she holds) or taken off the site: the
    admin is told what she still holds there, and the site no longer counts as staffed."""
    from scheduling.selectors.work import sites_without_shifts_next_week

    assert site not in sites_without_shifts_next_week(clinic_admin)
    page = login(clinic_admin).post(
        reverse("staff_edit", args=[nurse.pk]),
        {"roles": ["nurse"], "locations": [], "is_active": "on"}, follow=True,
    )  # fmt: skip
    body = page.content.decode()
    assert "no longer works at those sites but still holds" in body and "8 visit(s)" in body
    assert site in sites_without_shifts_next_week(clinic_admin)
    page = login(clinic_admin).post(
        reverse("staff_edit", args=[nurse.pk]), {"roles": ["nurse"], "locations": [site.pk]},
        follow=True,
    )  # fmt: skip
    nurse.refresh_from_db()
    assert not nurse.is_active and "is no longer active but still holds" in page.content.decode()


def test_the_board_counts_chairs_as_people_do(site):
    from scheduling.models import Chair
    from scheduling.selectors.board import _chairs

    for name in ("Chair 10", "Chair 2", "Chair 1", "Recliner"):
        Chair.objects.create(location=site, name=name)
    assert [chair.name for chair in _chairs(site)] == ["Chair 1", "Chair 2", "Chair 10", "Recliner"]
