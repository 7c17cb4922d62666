import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from clinic.errors import ConflictError
from clinic.transitions import IllegalTransition
from scheduling import services
from scheduling.models import Appointment, AppointmentStatus, ClosedDay, Course
from tests.factories import ChairFactory, PatientFactory, on_the_visit_day
from tests.helpers import book, make_bookable, mon_wed_fri, next_monday

pytestmark = pytest.mark.usefixtures("shifts")


def test_a_course_of_ten_is_booked_as_ten_real_appointments(
    patient, protocol, site, chairs, nurse, front_desk
):
    course = book(
        patient, protocol, site, mon_wed_fri(next_monday(), 10), chairs[0], nurse, front_desk
    )
    appointments = list(course.appointments.order_by("sequence"))
    assert [a.sequence for a in appointments] == list(range(1, 11))
    first = appointments[0]
    # 20 min preparation + 40 min infusion + 45 min recovery
    assert first.ends_at - first.starts_at == datetime.timedelta(minutes=105)
    assert first.infusion_starts_at - first.starts_at == datetime.timedelta(minutes=20)
    assert first.escort_name == "Pat" and not first.escort_confirmed
    assert all(a.status_changes.count() == 1 for a in appointments)


@pytest.mark.parametrize("count", [7, 13])
def test_seven_or_thirteen_infusions_are_refused(
    patient, protocol, site, chairs, nurse, front_desk, count
):
    starts = mon_wed_fri(next_monday(), count)
    with pytest.raises(ValidationError) as refused:
        book(patient, protocol, site, starts, chairs[0], nurse, front_desk)
    assert "8 to 12 infusions" in str(refused.value)
    assert not Appointment.objects.exists() and not Course.objects.exists()


def test_a_gap_shorter_than_24_hours_is_refused(patient, protocol, site, chairs, nurse, front_desk):
    starts = mon_wed_fri(next_monday(), 8)
    starts[1] = starts[0] + datetime.timedelta(hours=23)
    with pytest.raises(ValidationError) as refused:
        book(patient, protocol, site, starts, chairs[0], nurse, front_desk)
    assert "less than 24 h apart" in str(refused.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: [s[0].replace(hour=7)] + s[1:], "outside opening hours"),
        (lambda s: [s[0].replace(hour=17)] + s[1:], "outside opening hours"),
        (lambda s: [x - datetime.timedelta(days=14) for x in s], "already passed"),
    ],
    ids=["before-opening", "ends-after-closing", "past"],
)
def test_a_session_outside_the_clinics_hours_books_nothing(
    patient, protocol, site, chairs, nurse, front_desk, change, message
):
    starts = change(mon_wed_fri(next_monday(), 8))
    with pytest.raises(ValidationError) as refused:  # bad input: 400, not a conflict
        book(patient, protocol, site, starts, chairs[0], nurse, front_desk)
    assert message in str(refused.value)
    assert not Appointment.objects.exists() and not Course.objects.exists()


def test_a_closed_day_is_refused_naming_the_holiday(
    patient, protocol, site, chairs, nurse, front_desk
):
    starts = mon_wed_fri(next_monday(), 8)
    ClosedDay.objects.create(location=None, date=starts[3].date(), reason="Staff training")
    with pytest.raises(ValidationError) as refused:
        book(patient, protocol, site, starts, chairs[0], nurse, front_desk)
    assert "Staff training" in str(refused.value)
    assert not Appointment.objects.exists()


def test_a_chair_of_another_site_is_refused(
    patient, protocol, site, other_site, nurse, front_desk, chairs
):
    elsewhere = ChairFactory(location=other_site, name="Far chair")
    with pytest.raises(ValidationError) as refused:
        book(patient, protocol, site, mon_wed_fri(next_monday(), 8), elsewhere, nurse, front_desk)
    assert "Far chair is at San Diego, not Irvine" in str(refused.value)


def test_a_patient_awaiting_clearance_cannot_be_booked(protocol, site, chairs, nurse, front_desk):
    unscreened = PatientFactory(home_location=site)
    with pytest.raises(ValidationError) as refused:
        book(
            unscreened, protocol, site, mon_wed_fri(next_monday(), 8), chairs[0], nurse, front_desk
        )
    messages = refused.value.message_dict["patient"]
    assert any("screening" in m for m in messages) and any("escort" in m for m in messages)


def test_a_nurse_cannot_book_courses(patient, protocol, site, chairs, nurse):
    with pytest.raises(PermissionDenied):
        book(patient, protocol, site, mon_wed_fri(next_monday(), 8), chairs[0], nurse, nurse)


def test_back_to_back_visits_share_a_chair(
    patient, protocol, site, chairs, nurse, another_nurse, front_desk
):
    from tests.helpers import add_shifts, make_bookable

    add_shifts(another_nurse, site, next_monday() - datetime.timedelta(days=7))
    book(patient, protocol, site, mon_wed_fri(next_monday(), 8), chairs[0], nurse, front_desk)
    second = make_bookable(PatientFactory(home_location=site), nurse)
    # 09:00 + 105 min = 10:45: the next visit may start exactly then.
    starts = [s + datetime.timedelta(minutes=105) for s in mon_wed_fri(next_monday(), 8)]
    book(second, protocol, site, starts, chairs[0], another_nurse, front_desk)
    assert Appointment.objects.filter(chair=chairs[0]).count() == 16


def test_the_database_itself_refuses_an_overlapping_chair_booking(
    patient, protocol, site, chairs, nurse, front_desk
):
    course = book(
        patient, protocol, site, mon_wed_fri(next_monday(), 8), chairs[0], nurse, front_desk
    )
    first = course.appointments.get(sequence=1)
    with pytest.raises(Exception, match="appointment_chair_no_overlap"), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO scheduling_appointment (patient_id, location_id, chair_id, nurse_id, "
            "starts_at, ends_at, infusion_starts_at, infusion_ends_at, status, escort_name, "
            "escort_phone, escort_confirmed, created_at) SELECT %s, location_id, chair_id, "
            "nurse_id, starts_at + interval '30 minutes', ends_at, infusion_starts_at + "
            "interval '30 minutes', infusion_ends_at, 'scheduled', '', '', false, now() "
            "FROM scheduling_appointment WHERE id = %s",
            [PatientFactory(home_location=site).pk, first.pk],
        )


def test_daylight_saving_keeps_nine_oclock_local(
    patient, protocol, site, chairs, nurse, front_desk
):
    from tests.helpers import add_shifts

    # US daylight saving begins Sunday 14 March 2027: a course across it stays at 09:00.
    first = datetime.date(2027, 3, 1)
    add_shifts(nurse, site, first, days=30)
    course = book(patient, protocol, site, mon_wed_fri(first, 8), chairs[0], nurse, front_desk)
    local_times = {
        a.starts_at.astimezone(site_zone(site)).time() for a in course.appointments.all()
    }
    offsets = {
        a.starts_at.astimezone(site_zone(site)).utcoffset() for a in course.appointments.all()
    }
    assert local_times == {datetime.time(9)}
    assert len(offsets) == 2  # PST before, PDT after


def site_zone(site):
    from zoneinfo import ZoneInfo

    return ZoneInfo(site.time_zone)


# --- Changing one appointment ------------------------------------------------------------------


def test_cancelling_one_session_leaves_the_others(
    patient, protocol, site, chairs, nurse, front_desk
):
    course = book(
        patient, protocol, site, mon_wed_fri(next_monday(), 8), chairs[0], nurse, front_desk
    )
    third = course.appointments.get(sequence=3)
    services.appointment_transition(
        appointment=third, to_status=AppointmentStatus.CANCELLED, changed_by=front_desk,
        reason="Patient unwell",
    )  # fmt: skip
    statuses = dict(course.appointments.values_list("sequence", "status"))
    assert statuses[3] == "cancelled"
    assert [s for n, s in statuses.items() if n != 3] == ["scheduled"] * 7


def test_illegal_transitions_are_refused(patient, protocol, site, chairs, nurse, front_desk):
    course = book(
        patient, protocol, site, mon_wed_fri(next_monday(), 8), chairs[0], nurse, front_desk
    )
    first = course.appointments.get(sequence=1)
    with pytest.raises(IllegalTransition):
        services.appointment_transition(
            appointment=first, to_status=AppointmentStatus.COMPLETED, changed_by=nurse
        )
    with pytest.raises(ValidationError):
        services.appointment_transition(
            appointment=first, to_status=AppointmentStatus.NO_SHOW, changed_by=front_desk
        )


@pytest.mark.parametrize(
    ("start", "path"),
    [
        ("scheduled", ["confirmed", "checked_in", "in_chair", "completed"]),
        ("scheduled", ["no_show"]),
        ("scheduled", ["checked_in", "cancelled"]),
    ],
)
def test_legal_paths_write_a_history_row_each(
    patient, protocol, site, chairs, nurse, front_desk, start, path
):
    course = book(
        patient, protocol, site, mon_wed_fri(next_monday(), 8), chairs[0], nurse, front_desk
    )
    appointment = course.appointments.get(sequence=1)
    # Check-in happens on the visit's day only; a no-show once the visit's time has come.
    minutes_before = -30 if path == ["no_show"] else 30
    with on_the_visit_day(appointment, minutes_before=minutes_before):
        for status in path:
            by = nurse if status in ("in_chair", "completed") else front_desk
            appointment = services.appointment_transition(
                appointment=appointment, to_status=status, changed_by=by, reason="test"
            )
    assert appointment.status_changes.count() == 1 + len(path)


@pytest.mark.parametrize(
    ("role", "to_status"),
    [("nurse", "cancelled"), ("nurse", "no_show"), ("front_desk", "in_chair")],
)
def test_the_service_refuses_a_status_the_role_may_not_set_whichever_door_is_used(
    patient, protocol, site, chairs, nurse, front_desk, role, to_status
):
    course = book(
        patient, protocol, site, mon_wed_fri(next_monday(), 8), chairs[0], nurse, front_desk
    )
    appointment = course.appointments.get(sequence=1)
    if to_status == "in_chair":
        with on_the_visit_day(appointment):
            services.appointment_transition(
                appointment=appointment, to_status="checked_in", changed_by=front_desk
            )
    by = {"nurse": nurse, "front_desk": front_desk}[role]
    with pytest.raises(PermissionDenied, match="may not mark an appointment"):
        services.appointment_transition(
            appointment=appointment, to_status=to_status, changed_by=by, reason="test"
        )
    appointment.refresh_from_db()
    assert appointment.status != to_status


def test_every_transition_in_the_table_is_exercised():
    targets = {target for _, target in services.ALLOWED.moves()}
    assert targets == set(AppointmentStatus) - {AppointmentStatus.SCHEDULED} | {"scheduled"}


def test_rescheduling_moves_only_that_session_and_checks_its_neighbours(
    patient, protocol, site, chairs, nurse, front_desk
):
    course = book(
        patient, protocol, site, mon_wed_fri(next_monday(), 8), chairs[0], nurse, front_desk
    )
    second = course.appointments.get(sequence=2)  # a Wednesday
    with pytest.raises(ValidationError) as refused:
        services.appointment_reschedule(
            appointment=second, starts_at=second.starts_at - datetime.timedelta(hours=30),
            changed_by=front_desk,
        )  # fmt: skip
    assert "Less than 24 h from infusion 1" in str(refused.value)
    before = {a.pk: a.starts_at for a in course.appointments.exclude(pk=second.pk)}
    moved = services.appointment_reschedule(
        appointment=second, starts_at=second.starts_at + datetime.timedelta(hours=4),
        changed_by=front_desk, reason="Patient asked",
    )  # fmt: skip
    assert moved.starts_at == second.starts_at + datetime.timedelta(hours=4)
    assert before == {a.pk: a.starts_at for a in course.appointments.exclude(pk=second.pk)}
    assert course.appointments.count() == 8


def test_cancelling_the_rest_of_a_course(patient, protocol, site, chairs, nurse, front_desk):
    course = book(
        patient, protocol, site, mon_wed_fri(next_monday(), 8), chairs[0], nurse, front_desk
    )
    assert (
        services.course_cancel_remaining(course=course, changed_by=front_desk, reason="Moved") == 8
    )
    course.refresh_from_db()
    assert course.status == "cancelled"


def test_a_taken_chair_is_a_conflict_naming_the_chair(
    patient, protocol, site, chairs, nurse, another_nurse, front_desk
):
    from tests.helpers import add_shifts, make_bookable

    add_shifts(another_nurse, site, next_monday() - datetime.timedelta(days=7))
    book(patient, protocol, site, mon_wed_fri(next_monday(), 8), chairs[0], nurse, front_desk)
    other = make_bookable(PatientFactory(home_location=site), nurse)
    with pytest.raises(ConflictError) as refused:
        book(
            other,
            protocol,
            site,
            mon_wed_fri(next_monday(), 8),
            chairs[0],
            another_nurse,
            front_desk,
        )
    assert "Chair 1 is already booked then" in str(refused.value)
    assert Course.objects.count() == 1


def test_a_withdrawn_protocol_cannot_be_booked(patient, protocol, site, chairs, nurse, front_desk):
    protocol.is_active = False
    protocol.save()
    with pytest.raises(ValidationError) as refused:
        book(patient, protocol, site, mon_wed_fri(next_monday(), 8), chairs[0], nurse, front_desk)
    assert "protocol" in refused.value.message_dict


def test_only_the_front_desk_cancels_the_rest_of_a_course_and_only_once(
    patient, protocol, site, chairs, nurse, front_desk
):
    course = book(
        patient, protocol, site, mon_wed_fri(next_monday(), 8), chairs[0], nurse, front_desk
    )
    with pytest.raises(PermissionDenied):
        services.course_cancel_remaining(course=course, changed_by=nurse, reason="x")
    services.course_cancel_remaining(course=course, changed_by=front_desk, reason="Moved away")
    with pytest.raises(ValidationError):
        services.course_cancel_remaining(course=course, changed_by=front_desk, reason="again")


def test_a_reschedule_cannot_stretch_the_course_past_its_window(
    patient, protocol, site, chairs, nurse, front_desk
):
    course = book(
        patient, protocol, site, mon_wed_fri(next_monday(), 8), chairs[0], nurse, front_desk
    )
    last = course.appointments.get(sequence=8)
    with pytest.raises(ValidationError) as refused:
        services.appointment_reschedule(
            appointment=last, starts_at=last.starts_at + datetime.timedelta(days=14),
            changed_by=front_desk,
        )  # fmt: skip
    assert "no longer fit within 28 days" in str(refused.value)


def test_changes_held_together_reach_once_per_course_listeners_once(db):
    """``notify.course_changes_together``: a once-per-course listener hears each course once,
    with its last change, at the end; nothing when the block raises; others hear each."""
    from types import SimpleNamespace

    from scheduling import hooks, notify

    once, each = [], []

    def per_course(appointment, change):
        once.append((appointment.pk, change))

    def per_session(appointment, change):
        each.append((appointment.pk, change))

    def visit(pk, course_id):
        return SimpleNamespace(pk=pk, course_id=course_id)

    saved = list(hooks.appointment_changes), set(hooks.once_per_course_listeners)
    hooks.appointment_changes[:] = []
    hooks.once_per_course_listeners.clear()
    hooks.on_appointment_changed(per_course, once_per_course=True)
    hooks.on_appointment_changed(per_session)
    try:
        with notify.course_changes_together():
            for pk in (1, 2, 3):
                _announce(notify, visit(pk, 7 if pk < 3 else 8), "cancelled")
            assert once == []
        assert once == [(2, "cancelled"), (3, "cancelled")]
        assert [pk for pk, _c in each] == [1, 2, 3]
        once.clear()
        with pytest.raises(RuntimeError), notify.course_changes_together():
            _announce(notify, visit(4, 7), "cancelled")
            raise RuntimeError("refused")
        assert once == []
    finally:
        hooks.appointment_changes[:] = saved[0]
        hooks.once_per_course_listeners.clear()
        hooks.once_per_course_listeners.update(saved[1])


def _announce(notify, appointment, change):
    """notify.appointment_changed without the reminders' outbox (no rows for a stand-in)."""
    from unittest import mock

    with mock.patch.object(notify.outbox, "on_appointment_changed"):
        notify.appointment_changed(appointment, change)


def _queries(action) -> int:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured.captured_queries)


def test_booking_reads_the_site_once_not_once_per_session(
    patient, protocol, site, chairs, nurse, front_desk
):
    """A course's sessions are checked against one read of the site (under the booking's
    locks), so a session adds only its own writes: the visit, its status row, its reminders,
    their audit entries, its webhook event (it was about 20 queries a session). The webhook
    subscriptions are read once for the course, a visit's insert takes no savepoint of its
    own and the course's reminders go in as one insert (a course of 8: 98 queries, 68 since)."""
    other = make_bookable(PatientFactory(home_location=site), nurse)
    monday = next_monday()
    eight = _queries(
        lambda: book(patient, protocol, site, mon_wed_fri(monday, 8), chairs[0], nurse, front_desk)
    )
    starts = mon_wed_fri(monday, 12, hour=12)  # the nurse infuses one patient at a time
    twelve = _queries(lambda: book(other, protocol, site, starts, chairs[1], nurse, front_desk))
    assert (twelve - eight) / 4 <= 4
    assert eight <= 70


def test_cancelling_the_rest_sets_the_course_once_not_once_per_session(
    patient, protocol, site, chairs, nurse, front_desk
):
    course = book(
        patient, protocol, site, mon_wed_fri(next_monday(), 8), chairs[0], nurse, front_desk
    )
    count = _queries(
        lambda: services.course_cancel_remaining(
            course=course, changed_by=front_desk, reason="Moved away"
        )
    )
    assert count <= 70
    course.refresh_from_db()
    assert course.status == "cancelled"
    assert not course.appointments.exclude(status=AppointmentStatus.CANCELLED).exists()


def test_two_sessions_of_one_course_at_the_same_time_are_a_conflict(
    patient, protocol, site, chairs, nurse, front_desk
):
    """With no minimum gap set, the course's own earlier session is what the later one
    meets: it is seen before anything is written (the next session sees each one booked)."""
    from scheduling.models import LocationSchedule

    rules = LocationSchedule.for_location(site)
    rules.min_gap_hours = 0
    rules.save()
    starts = mon_wed_fri(next_monday(), 8)
    starts[1] = starts[0]
    with pytest.raises(ConflictError) as refused:
        book(patient, protocol, site, starts, chairs[0], nurse, front_desk)
    assert "Infusion 2" in str(refused.value) and "already booked then" in str(refused.value)
    assert not Course.objects.exists() and not Appointment.objects.exists()


def test_a_visit_of_a_day_or_more_is_refused_by_the_database(
    patient, protocol, site, chairs, nurse, front_desk
):
    """``between`` bounds a visit's start from below by the longest a visit may last; the
    database holds every visit to it."""
    from django.db import IntegrityError, transaction

    from scheduling.models.courses import MAX_VISIT

    course = book(
        patient, protocol, site, mon_wed_fri(next_monday(), 8), chairs[0], nurse, front_desk
    )
    first = course.appointments.order_by("sequence").first()
    with pytest.raises(IntegrityError, match="appointment_within_a_day"), transaction.atomic():
        Appointment.objects.filter(pk=first.pk).update(ends_at=first.starts_at + MAX_VISIT * 2)
    seen = Appointment.objects.between(first.ends_at - datetime.timedelta(minutes=1), first.ends_at)
    assert list(seen) == [first]
