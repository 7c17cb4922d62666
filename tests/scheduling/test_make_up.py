"""A cancelled course session is made up after the course's last session: offered at once
after the cancel, booked in one click (service, screen, API), once, within the course's
size and window, never on a taken or closed slot."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic.errors import ConflictError
from scheduling import services
from scheduling.models import Appointment, AppointmentStatus, ClosedDay, CourseStatus
from scheduling.selectors.slots import make_up_slot
from tests.factories import PatientFactory
from tests.helpers import LA, at, book_course, make_bookable, next_monday

pytestmark = pytest.mark.usefixtures("shifts")
S = AppointmentStatus


@pytest.fixture
def course(patient, protocol, site, chairs, nurse, front_desk):
    return book_course(patient, protocol, site, chairs[0], nurse, front_desk, count=8)


def cancel(appointment, user):
    return services.appointment_transition(
        appointment=appointment, to_status=S.CANCELLED, changed_by=user, reason="Flu"
    )


def last_session(course):
    return course.appointments.order_by("-starts_at").first()


def test_the_make_up_goes_after_the_last_session_at_the_cancelled_time(course, front_desk):
    third = cancel(course.appointments.get(sequence=3), front_desk)
    last = last_session(course)
    made = services.appointment_book_make_up(cancelled=third, booked_by=front_desk)
    assert made.makes_up_for == third and made.sequence == 9 and made.course == course
    assert made.starts_at - last.starts_at >= datetime.timedelta(hours=24)
    assert made.starts_at.astimezone(LA).time() == datetime.time(9)
    assert made.status == S.SCHEDULED
    assert "Make-up for infusion 3" in made.status_changes.get().reason


def test_a_closed_day_after_the_course_is_skipped(course, front_desk, site):
    third = cancel(course.appointments.get(sequence=3), front_desk)
    day_after = (last_session(course).starts_at + datetime.timedelta(days=1)).astimezone(LA).date()
    ClosedDay.objects.create(location=site, date=day_after, reason="Inventory")
    slot, _ = make_up_slot(third)
    assert slot.local_start.date() > day_after


def test_only_a_cancelled_session_is_made_up_and_only_once(course, front_desk):
    second = course.appointments.get(sequence=2)
    with pytest.raises(ValidationError, match="Only a cancelled session"):
        services.appointment_book_make_up(cancelled=second, booked_by=front_desk)
    cancel(second, front_desk)
    services.appointment_book_make_up(cancelled=second, booked_by=front_desk)
    count = Appointment.objects.count()
    with pytest.raises(ConflictError, match="already made up"):
        services.appointment_book_make_up(cancelled=second, booked_by=front_desk)
    assert Appointment.objects.count() == count


def test_a_make_up_is_refused_when_the_course_is_full_or_cancelled(
    patient, protocol, site, chairs, nurse, front_desk
):
    full = book_course(patient, protocol, site, chairs[0], nurse, front_desk, count=12)
    first = cancel(full.appointments.get(sequence=1), front_desk)
    services.course_cancel_remaining(course=full, changed_by=front_desk, reason="Moved away")
    with pytest.raises(ValidationError, match="cancelled; plan a new one"):
        services.appointment_book_make_up(cancelled=first, booked_by=front_desk)


def test_a_taken_slot_is_a_conflict_and_writes_nothing(
    course, front_desk, chairs, nurse, site, protocol
):
    third = cancel(course.appointments.get(sequence=3), front_desk)
    slot, _ = make_up_slot(third)
    count = Appointment.objects.count()
    other = make_bookable(PatientFactory(home_location=site), nurse)
    day = slot.local_start.date()
    services.course_book(
        patient=other, protocol=protocol, location=site, booked_by=front_desk,
        sessions=[
            services.SessionRequest(at(day + datetime.timedelta(days=n), 9), slot.chair, nurse)
            for n in (0, 2, 4, 6, 8, 11, 13, 15)
        ],
    )  # fmt: skip
    with pytest.raises(ConflictError):
        services.appointment_book_make_up(
            cancelled=third, booked_by=front_desk, starts_at=slot.starts_at, chair=slot.chair,
            nurse=slot.nurse,
        )  # fmt: skip
    assert Appointment.objects.count() == count + 8


def test_a_nurse_may_not_book_a_make_up(course, front_desk, nurse):
    from django.core.exceptions import PermissionDenied

    third = cancel(course.appointments.get(sequence=3), front_desk)
    with pytest.raises(PermissionDenied):
        services.appointment_book_make_up(cancelled=third, booked_by=nurse)


# --- Screens and API ------------------------------------------------------------------------


def test_cancelling_offers_the_make_up_and_one_click_books_it(login, front_desk, course):
    third = course.appointments.get(sequence=3)
    client = login(front_desk)
    response = client.post(reverse("scheduling:cancel", args=[third.pk]), {"reason": "Flu"})
    assert response.status_code == 302
    assert response["Location"] == reverse("scheduling:make_up", args=[third.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Book this make-up session" in page
    slot, _ = make_up_slot(Appointment.objects.get(pk=third.pk))
    booked = client.post(
        response["Location"],
        {"starts_at": slot.local_input, "chair": slot.chair.pk, "nurse": slot.nurse.pk},
    )
    assert booked.status_code == 302
    made = Appointment.objects.get(makes_up_for=third)
    assert made.starts_at == slot.starts_at
    again = client.get(response["Location"]).content.decode()
    assert "Already made up" in again
    twice = client.post(
        response["Location"],
        {"starts_at": slot.local_input, "chair": slot.chair.pk, "nurse": slot.nurse.pk},
    )
    assert twice.status_code == 409 and Appointment.objects.filter(makes_up_for=third).count() == 1
    tab = client.get(reverse("scheduling:patient_courses", args=[third.patient_id]))
    assert "make-up" in tab.content.decode() and "made up by #9" in tab.content.decode()


def test_the_courses_tab_offers_a_make_up_for_a_cancelled_session(login, front_desk, course):
    third = cancel(course.appointments.get(sequence=3), front_desk)
    tab = login(front_desk).get(reverse("scheduling:patient_courses", args=[third.patient_id]))
    assert reverse("scheduling:make_up", args=[third.pk]) in tab.content.decode()


def test_the_api_books_the_first_free_make_up(login, front_desk, nurse, course):
    third = cancel(course.appointments.get(sequence=3), front_desk)
    url = f"/api/v1/appointments/{third.pk}/make-up/"
    assert login(nurse).post(url, {}, content_type="application/json").status_code == 403
    client = login(front_desk)
    made = client.post(url, {}, content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["makes_up_for"] == third.pk and made.json()["sequence"] == 9
    again = client.post(url, {}, content_type="application/json")
    assert again.status_code == 409 and "status" in again.json()["errors"]
    second = course.appointments.get(sequence=2)
    refused = client.post(
        f"/api/v1/appointments/{second.pk}/make-up/", {}, content_type="application/json"
    )
    assert refused.status_code == 400 and "status" in refused.json()["errors"]


def test_the_make_up_reopens_a_course_its_cancellation_completed(
    patient, protocol, site, chairs, nurse, front_desk
):
    course = book_course(patient, protocol, site, chairs[0], nurse, front_desk, count=8)
    for appointment in course.appointments.order_by("sequence")[:7]:
        Appointment.objects.filter(pk=appointment.pk).update(status=S.COMPLETED)
    last = cancel(course.appointments.get(sequence=8), front_desk)
    course.refresh_from_db()
    assert course.status == CourseStatus.COMPLETED
    assert next_monday()  # the course is in the future; the make-up follows it
    services.appointment_book_make_up(cancelled=last, booked_by=front_desk)
    course.refresh_from_db()
    assert course.status == CourseStatus.ACTIVE
