"""The scheduling screens: day board, week view, check-in, course planner, course actions."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scheduling import services
from scheduling.models import (
    Appointment,
    AppointmentStatus,
    Chair,
    ClosedDay,
    Course,
)
from scheduling.services import SessionRequest
from tests.factories import CourseFactory, PatientFactory, on_the_visit_day
from tests.helpers import at, book_course, make_bookable, mon_wed_fri, next_monday

pytestmark = pytest.mark.usefixtures("shifts")


def board_url(site, day):
    return reverse("scheduling:board") + f"?location={site.pk}&date={day.isoformat()}"


def fill_site(site, protocol, front_desk, nurse, days):
    """10 chairs, each with back-to-back 2-hour visits 08:00-18:00 on every day given,
    created directly: these tests are about reading the board, not booking."""
    chairs = [Chair.objects.create(location=site, name=f"Bay {n:02}") for n in range(1, 11)]
    rows = []
    for number, chair in enumerate(chairs):
        patient = PatientFactory(home_location=site)
        course = CourseFactory(
            patient=patient, protocol=protocol, location=site, planned_infusions=12,
            booked_by=front_desk,
        )  # fmt: skip
        for day in days:
            for slot in range(5):
                start = at(day, 8 + 2 * slot)
                rows.append(
                    Appointment(
                        course=course, sequence=slot + 1, patient=patient, location=site,
                        chair=chair, nurse=nurse, starts_at=start,
                        ends_at=start + datetime.timedelta(hours=2),
                        infusion_starts_at=start + datetime.timedelta(minutes=20),
                        infusion_ends_at=start + datetime.timedelta(minutes=60),
                        escort_confirmed=number % 2 == 0,
                    )
                )  # fmt: skip
    Appointment.objects.bulk_create(rows)
    return chairs


# --- Day board and week view ---------------------------------------------------------------


def queries_of(client, url) -> int:
    """What a page costs with nothing booked: session, user, roles (and whatever the
    middleware adds), then the site, its chairs and its appointments."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def tables_read(captured) -> dict[str, int]:
    """How many queries read chairs and appointments (the N+1 suspects); the work-waiting
    strip's counts (``SELECT COUNT(*)``, one each whatever the data) are not suspects."""
    counts = {}
    for query in captured.captured_queries:
        sql = query["sql"]
        if sql.startswith("SELECT COUNT(*)"):
            continue
        for table in ("scheduling_chair", "scheduling_appointment"):
            if sql.startswith("SELECT") and f'FROM "{table}"' in sql:
                counts[table] = counts.get(table, 0) + 1
    return counts


def test_the_board_shows_each_appointment_with_status_escort_and_progress(
    login, front_desk, nurse, site, chairs, patient, protocol
):
    course = book_course(patient, protocol, site, chairs[0], nurse, front_desk)
    first = course.appointments.get(sequence=1)
    page = login(front_desk).get(board_url(site, next_monday())).content.decode()
    assert patient.display_name in page
    assert "Scheduled" in page
    assert "Escort not confirmed" in page
    assert "1 of 10" in page
    assert f'id="appointment-{first.pk}"' in page
    assert "9:00–10:45 AM" in page
    assert "Check in</button>" not in page  # next Monday is not today: no check-in yet
    url = board_url(site, next_monday())
    with on_the_visit_day(first):
        page = login(front_desk).get(url).content.decode()
    assert "Check in</button>" in page


def test_the_board_defaults_to_today_and_links_the_neighbouring_days(login, front_desk, chairs):
    response = login(front_desk).get(reverse("scheduling:board"))
    assert response.status_code == 200
    day = response.context["day"]
    assert (day + datetime.timedelta(days=1)).isoformat() in response.context["next_url"]


def test_a_site_i_do_not_work_at_is_not_found(login, front_desk, other_site, chairs):
    url = reverse("scheduling:board") + f"?location={other_site.pk}"
    assert login(front_desk).get(url).status_code == 404


def test_the_day_board_costs_the_same_few_queries_with_ten_full_chairs(
    login, front_desk, nurse, site, clinic_open, protocol, django_assert_max_num_queries
):
    day = next_monday()
    fill_site(site, protocol, front_desk, nurse, [day])
    client = login(front_desk)
    empty_day = day + datetime.timedelta(days=1)
    with django_assert_max_num_queries(queries_of(client, board_url(site, empty_day))) as captured:
        response = client.get(board_url(site, day))
    assert response.status_code == 200
    assert tables_read(captured) == {"scheduling_chair": 1, "scheduling_appointment": 1}
    page = response.content.decode()
    assert page.count('class="block ') == 50
    assert "Bay 10" in page and "Escort confirmed" in page


def test_the_week_view_costs_the_same_few_queries_with_ten_full_chairs(
    login, front_desk, nurse, site, clinic_open, protocol, django_assert_max_num_queries
):
    monday = next_monday()
    fill_site(
        site, protocol, front_desk, nurse, [monday + datetime.timedelta(days=n) for n in range(6)]
    )
    client = login(front_desk)
    url = reverse("scheduling:week") + f"?location={site.pk}&date={monday.isoformat()}"
    empty_week = (monday + datetime.timedelta(days=14)).isoformat()
    with django_assert_max_num_queries(queries_of(client, url[:-10] + empty_week)) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert tables_read(captured) == {"scheduling_chair": 1, "scheduling_appointment": 1}
    assert response.content.decode().count('class="week-item ') == 300


def test_the_front_desk_checks_a_patient_in_from_the_board(
    login, front_desk, nurse, site, chairs, patient, protocol
):
    first = book_course(patient, protocol, site, chairs[0], nurse, front_desk).appointments.first()
    with on_the_visit_day(first):
        client = login(front_desk)
        url = reverse("scheduling:check_in", args=[first.pk])
        response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Checked in" in response.content.decode()
    assert "Check in</button>" not in response.content.decode()
    first.refresh_from_db()
    assert first.status == AppointmentStatus.CHECKED_IN
    assert first.status_changes.last().changed_by == front_desk


def test_checking_in_twice_shows_why_and_changes_nothing(
    login, front_desk, nurse, site, chairs, patient, protocol
):
    first = book_course(patient, protocol, site, chairs[0], nurse, front_desk).appointments.first()
    with on_the_visit_day(first):
        client = login(front_desk)
        url = reverse("scheduling:check_in", args=[first.pk])
        client.post(url, HTTP_HX_REQUEST="true")
        response = client.post(url, HTTP_HX_REQUEST="true")
    assert "cannot become checked in" in response.content.decode()
    assert first.status_changes.count() == 2


# --- Course planner ------------------------------------------------------------------------


def wishes(patient, protocol, site, **changes):
    return {
        "patient": patient.pk, "protocol": protocol.pk, "location": site.pk,
        "start_date": next_monday().isoformat(), "weekdays": ["0", "2", "4"],
        "preferred_time": "09:00", "sessions_per_week": 3, "planned_infusions": 10,
    } | changes  # fmt: skip


def propose(client, data):
    response = client.post(reverse("scheduling:planner"), data | {"action": "propose"})
    assert response.status_code == 200
    return response


def booking(data, rows):
    posted = data | {
        "action": "book", "session-TOTAL_FORMS": len(rows), "session-INITIAL_FORMS": len(rows),
        "session-MIN_NUM_FORMS": 0, "session-MAX_NUM_FORMS": 50,
    }  # fmt: skip
    for number, row in enumerate(rows):
        for field, value in row.items():
            posted[f"session-{number}-{field}"] = value
    return posted


def test_the_planner_proposes_ten_sessions_and_books_them_as_one_course(
    login, front_desk, site, chairs, patient, protocol
):
    client = login(front_desk)
    data = wishes(patient, protocol, site)
    response = propose(client, data)
    rows = response.context["rows"].initial
    assert len(rows) == 10
    assert rows[0]["starts_at"] == f"{next_monday().isoformat()}T09:00"
    assert 'name="session-9-starts_at"' in response.content.decode()
    # The front desk moves the second session to 11:00 before booking.
    rows[1]["starts_at"] = rows[1]["starts_at"].replace("T09:00", "T11:00")
    response = client.post(reverse("scheduling:planner"), booking(data, rows))
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:detail", args=[patient.pk]) + "?tab=courses"
    course = Course.objects.get(patient=patient)
    appointments = list(course.appointments.order_by("sequence"))
    assert len(appointments) == 10
    assert appointments[1].starts_at == at(next_monday() + datetime.timedelta(days=2), 11)


def test_a_patient_who_cannot_be_booked_is_shown_in_red_and_booking_is_disabled(
    login, front_desk, site, chairs, protocol
):
    uncleared = PatientFactory(home_location=site)
    response = propose(login(front_desk), wishes(uncleared, protocol, site))
    page = response.content.decode()
    assert 'class="blockers"' in page
    assert "Contraindication screening has not been completed." in page
    assert 'value="book" class="button primary" disabled' in page


def test_a_taken_chair_is_a_form_error_with_409_and_nothing_is_booked(
    login, front_desk, nurse, site, chairs, patient, protocol
):
    client = login(front_desk)
    data = wishes(patient, protocol, site)
    rows = propose(client, data).context["rows"].initial
    # Someone else books the first proposed chair and time meanwhile.
    other = make_bookable(PatientFactory(home_location=site), nurse)
    first = services.local_datetime(site, next_monday(), datetime.time(9))
    services.course_book(
        patient=other, protocol=protocol, location=site, booked_by=front_desk,
        sessions=[SessionRequest(s, chairs[0], nurse)
                  for s in [first] + mon_wed_fri(next_monday(), 8, hour=14)[1:]],
    )  # fmt: skip
    response = client.post(reverse("scheduling:planner"), booking(data, rows))
    assert response.status_code == 409
    page = response.content.decode()
    assert "Chair 1 is already booked then." in page
    assert 'class="error-summary"' in page
    assert not Course.objects.filter(patient=patient).exists()


def test_seven_infusions_is_a_field_message(login, front_desk, site, chairs, patient, protocol):
    response = propose(login(front_desk), wishes(patient, protocol, site, planned_infusions=7))
    assert response.context["form"].errors["planned_infusions"] == [
        "A course at Irvine has 8 to 12 infusions, not 7."
    ]
    assert response.context["rows"] is None


def test_a_session_moved_onto_a_closed_day_is_refused_on_its_row(
    login, front_desk, site, chairs, patient, protocol
):
    client = login(front_desk)
    data = wishes(patient, protocol, site)
    rows = propose(client, data).context["rows"].initial
    holiday = next_monday() + datetime.timedelta(days=1)
    ClosedDay.objects.create(location=site, date=holiday, reason="Staff training")
    rows[0]["starts_at"] = f"{holiday.isoformat()}T09:00"
    response = client.post(reverse("scheduling:planner"), booking(data, rows))
    assert response.status_code == 200  # bad input, not a conflict: the form again
    row = response.context["rows"].forms[0]
    assert "Staff training" in " ".join(row.errors["starts_at"])
    assert not Course.objects.exists()


def test_picking_a_patient_shows_their_blockers_at_once(login, front_desk, site, patient):
    client = login(front_desk)
    page = client.get(reverse("scheduling:planner")).content.decode()
    assert f'hx-get="{reverse("scheduling:planner_blockers")}"' in page
    uncleared = PatientFactory(home_location=site)
    url = reverse("scheduling:planner_blockers")
    assert "No escort contact" in client.get(url, {"patient": uncleared.pk}).content.decode()
    assert 'class="blockers"' not in client.get(url, {"patient": patient.pk}).content.decode()


def test_a_nurse_cannot_open_the_planner(login, nurse):
    assert login(nurse).get(reverse("scheduling:planner")).status_code == 403


# --- Courses tab and one-session changes ----------------------------------------------------


def test_the_courses_tab_lists_courses_with_progress_and_local_times(
    login, front_desk, nurse, site, chairs, patient, protocol
):
    book_course(patient, protocol, site, chairs[0], nurse, front_desk)
    client = login(front_desk)
    detail = client.get(reverse("patients:detail", args=[patient.pk]) + "?tab=courses")
    assert reverse("scheduling:patient_courses", args=[patient.pk]) in detail.content.decode()
    page = client.get(reverse("scheduling:patient_courses", args=[patient.pk])).content.decode()
    assert "0 of 10 done" in page
    assert f"{next_monday():%m/%d/%Y} 9:00 AM" in page
    assert "Create calendar link" in page


def test_rescheduling_one_session_moves_only_that_one(
    login, front_desk, nurse, site, chairs, patient, protocol
):
    course = book_course(patient, protocol, site, chairs[0], nurse, front_desk)
    second = course.appointments.get(sequence=2)
    others = {a.pk: a.starts_at for a in course.appointments.exclude(pk=second.pk)}
    new_day = (second.starts_at + datetime.timedelta(hours=2)).astimezone(
        at(next_monday(), 0).tzinfo
    )
    response = login(front_desk).post(
        reverse("scheduling:reschedule", args=[second.pk]),
        {"starts_at": new_day.strftime("%Y-%m-%dT%H:%M"), "chair": chairs[1].pk,
         "nurse": nurse.pk, "reason": "Patient asked"},
    )  # fmt: skip
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.chair == chairs[1] and second.starts_at == new_day
    assert {a.pk: a.starts_at for a in course.appointments.exclude(pk=second.pk)} == others


def test_cancelling_needs_a_reason_then_cancels_one_session(
    login, front_desk, nurse, site, chairs, patient, protocol
):
    course = book_course(patient, protocol, site, chairs[0], nurse, front_desk)
    first = course.appointments.get(sequence=1)
    client = login(front_desk)
    url = reverse("scheduling:cancel", args=[first.pk])
    assert "This field is required" in client.post(url, {"reason": ""}).content.decode()
    assert client.post(url, {"reason": "Unwell"}).status_code == 302
    assert course.appointments.filter(status=AppointmentStatus.CANCELLED).count() == 1


def test_cancelling_the_rest_of_a_course(login, front_desk, nurse, site, chairs, patient, protocol):
    course = book_course(patient, protocol, site, chairs[0], nurse, front_desk)
    response = login(front_desk).post(
        reverse("scheduling:course_cancel", args=[course.pk]), {"reason": "Moving away"}
    )
    assert response.status_code == 302
    assert course.appointments.filter(status=AppointmentStatus.CANCELLED).count() == 10


def test_marking_a_no_show(login, front_desk, nurse, site, chairs, patient, protocol):
    from tests.factories import on_the_visit_day

    first = book_course(patient, protocol, site, chairs[0], nurse, front_desk).appointments.first()
    with on_the_visit_day(first, minutes_before=-30):  # the visit's time has come
        response = login(front_desk).post(
            reverse("scheduling:no_show", args=[first.pk]), {"reason": "Did not come"}
        )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == AppointmentStatus.NO_SHOW
