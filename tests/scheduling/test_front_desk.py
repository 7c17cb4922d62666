"""Issue 17, the front desk: the patient list before any search (today's and recently
viewed patients)."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from scheduling.models import Appointment, AppointmentStatus, Chair
from tests.factories import PatientFactory
from tests.helpers import LA


def visit(patient, site, nurse, start, status=AppointmentStatus.SCHEDULED):
    chair = Chair.objects.create(location=site, name=f"Chair {Chair.objects.count() + 1}")
    return Appointment.objects.create(
        patient=patient, location=site, chair=chair, nurse=nurse, starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        infusion_starts_at=start + datetime.timedelta(minutes=20),
        infusion_ends_at=start + datetime.timedelta(minutes=60), status=status,
    )  # fmt: skip


@pytest.fixture
def late_evening():
    # 21:30 in Irvine is already tomorrow in UTC: "today" must be the site's day.
    with time_machine.travel(datetime.datetime(2026, 3, 10, 21, 30, tzinfo=LA), tick=False):
        yield


def test_the_patient_list_loads_todays_visits_before_any_search(login, front_desk):
    page = login(front_desk).get(reverse("patients:list")).content.decode()
    assert reverse("scheduling:todays_patients") in page
    assert 'hx-trigger="load"' in page


@pytest.mark.usefixtures("late_evening")
def test_todays_patients_are_the_sites_day_not_utcs_and_skip_cancelled_and_other_sites(
    login, front_desk, nurse, site, other_site
):
    today = datetime.date(2026, 3, 10)
    morning = PatientFactory(legal_last_name="Morning", home_location=site)
    tomorrow = PatientFactory(legal_last_name="Tomorrow", home_location=site)
    cancelled = PatientFactory(legal_last_name="Cancelled", home_location=site)
    elsewhere = PatientFactory(legal_last_name="Elsewhere", home_location=other_site)
    start = datetime.datetime.combine(today, datetime.time(9), tzinfo=LA)
    visit(morning, site, nurse, start)
    visit(tomorrow, site, nurse, start + datetime.timedelta(days=1))
    visit(cancelled, site, nurse, start + datetime.timedelta(hours=3), AppointmentStatus.CANCELLED)
    visit(elsewhere, other_site, nurse, start)
    page = login(front_desk).get(reverse("scheduling:todays_patients")).content.decode()
    assert "Morning" in page and "9:00 AM" in page
    for absent in ("Tomorrow", "Cancelled", "Elsewhere"):
        assert absent not in page


@time_machine.travel(datetime.datetime(2026, 3, 10, 7, 0, tzinfo=LA), tick=False)
def test_todays_patients_cost_a_fixed_few_queries(
    login, front_desk, nurse, site, django_assert_max_num_queries
):
    start = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=LA)
    for n in range(8):
        visit(PatientFactory(home_location=site), site, nurse, start + datetime.timedelta(hours=n))
    client = login(front_desk)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("scheduling:todays_patients"))
    assert response.content.count(b"<li>") == 8


def test_recently_viewed_patients_are_listed_newest_first_without_repeats(login, front_desk, site):
    first, second = PatientFactory(legal_last_name="Alder"), PatientFactory(legal_last_name="Birch")
    first.home_location = second.home_location = site
    first.save()
    second.save()
    client = login(front_desk)
    for patient in (first, second, first):
        assert client.get(reverse("patients:detail", args=[patient.pk])).status_code == 200
    page = client.get(reverse("patients:list")).content.decode()
    recent = page.split("Recently viewed")[1]
    assert recent.index("Alder") < recent.index("Birch")
    assert recent.count("Alder") == 1


def test_a_recently_viewed_patient_moved_to_another_site_drops_off_the_list(
    login, front_desk, site, other_site
):
    patient = PatientFactory(legal_last_name="Mover", home_location=site)
    client = login(front_desk)
    client.get(reverse("patients:detail", args=[patient.pk]))
    patient.home_location = other_site
    patient.save()
    page = client.get(reverse("patients:list")).content.decode()
    assert "Mover" not in page.split("Recently viewed")[1]


# --- Planner: pick the patient by typing ------------------------------------------------------


def test_the_planner_has_no_dropdown_of_every_patient_but_a_typed_search(login, front_desk, site):
    PatientFactory(legal_last_name="Dropdownless", home_location=site)
    page = login(front_desk).get(reverse("scheduling:planner")).content.decode()
    assert "Dropdownless" not in page
    assert f'hx-get="{reverse("patients:search")}?pick=1"' in page
    assert "<script>" not in page


def test_typing_in_the_planner_offers_active_patients_of_my_sites_as_radio_buttons(
    login, front_desk, site, other_site
):
    mine = PatientFactory(legal_last_name="Quill", home_location=site)
    PatientFactory(legal_last_name="Quincy", home_location=other_site)
    PatientFactory(
        legal_last_name="Quade", home_location=site, is_active=False, deactivation_reason="Moved"
    )
    response = login(front_desk).get(reverse("patients:search"), {"q": "qu", "pick": "1"})
    page = response.content.decode()
    assert f'type="radio" name="patient" id="pick-{mine.pk}" value="{mine.pk}"' in page
    assert "Quincy" not in page and "Quade" not in page


def test_a_typed_search_with_no_match_says_so(login, front_desk, site):
    page = login(front_desk).get(reverse("patients:search"), {"q": "zz", "pick": "1"})
    assert "No active patient at your sites matches" in page.content.decode()


def test_a_planner_opened_for_a_patient_shows_them_already_picked(login, front_desk, site, patient):
    url = reverse("scheduling:planner") + f"?patient={patient.pk}"
    page = login(front_desk).get(url).content.decode()
    assert f'value="{patient.pk}" checked' in page


def test_a_patient_of_another_site_posted_to_the_planner_is_a_field_error(
    login, front_desk, other_site
):
    stranger = PatientFactory(home_location=other_site)
    response = login(front_desk).post(
        reverse("scheduling:planner"), {"patient": stranger.pk, "action": "propose"}
    )
    assert response.context["form"].errors["patient"]
    assert f'value="{stranger.pk}"' not in response.content.decode()


# --- Escorts: confirmed by phone in one click ---------------------------------------------------


@pytest.fixture
def tomorrows_visit(site, nurse, patient):
    start = datetime.datetime.now(tz=LA).replace(second=0, microsecond=0)
    return visit(patient, site, nurse, start + datetime.timedelta(days=1))


def test_one_click_confirms_the_escort_by_phone_with_name_who_and_when(
    login, front_desk, tomorrows_visit
):
    url = reverse("scheduling:escort_confirm", args=[tomorrows_visit.pk])
    response = login(front_desk).post(url, HTTP_HX_REQUEST="true")
    tomorrows_visit.refresh_from_db()
    assert tomorrows_visit.escort_confirmed
    assert tomorrows_visit.escort_name == "Pat"
    assert tomorrows_visit.escort_confirmed_by == front_desk
    assert tomorrows_visit.escort_confirmed_at is not None
    page = response.content.decode()
    assert "by phone: Pat" in page and "Escort not confirmed" not in page


def test_confirming_twice_says_so_and_changes_nothing(login, front_desk, tomorrows_visit):
    client = login(front_desk)
    url = reverse("scheduling:escort_confirm", args=[tomorrows_visit.pk])
    client.post(url)
    first = Appointment.objects.get(pk=tomorrows_visit.pk).escort_confirmed_at
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert "already confirmed" in response.content.decode()
    assert Appointment.objects.get(pk=tomorrows_visit.pk).escort_confirmed_at == first


def test_a_patient_without_an_escort_on_file_gets_a_clear_refusal(login, front_desk, site, nurse):
    start = datetime.datetime.now(tz=LA) + datetime.timedelta(days=1)
    appointment = visit(PatientFactory(home_location=site), site, nurse, start)
    url = reverse("scheduling:escort_confirm", args=[appointment.pk])
    response = login(front_desk).post(url, follow=True)
    assert "No escort on file" in response.content.decode()
    assert not Appointment.objects.get(pk=appointment.pk).escort_confirmed


def test_a_nurse_cannot_confirm_by_phone_and_an_other_sites_visit_is_not_found(
    login, nurse, front_desk, other_site, tomorrows_visit
):
    url = reverse("scheduling:escort_confirm", args=[tomorrows_visit.pk])
    assert login(nurse).post(url).status_code == 403
    tomorrows_visit.location = other_site
    Appointment.objects.filter(pk=tomorrows_visit.pk).update(location=other_site)
    assert login(front_desk).post(url).status_code == 404


def test_the_unconfirmed_list_confirms_in_one_click_and_comes_back(
    login, front_desk, tomorrows_visit
):
    Appointment.objects.filter(pk=tomorrows_visit.pk).update(
        starts_at=datetime.datetime.now(tz=LA) + datetime.timedelta(hours=3),
        ends_at=datetime.datetime.now(tz=LA) + datetime.timedelta(hours=5),
        infusion_starts_at=datetime.datetime.now(tz=LA) + datetime.timedelta(hours=3, minutes=20),
        infusion_ends_at=datetime.datetime.now(tz=LA) + datetime.timedelta(hours=4),
    )
    client = login(front_desk)
    page = client.get(reverse("reminders:follow_up")).content.decode()
    assert reverse("scheduling:escort_confirm", args=[tomorrows_visit.pk]) in page
    url = reverse("scheduling:escort_confirm", args=[tomorrows_visit.pk])
    response = client.post(url, {"next": "follow_up"})
    assert response.url == reverse("reminders:follow_up")
    page = client.get(response.url).content.decode()
    assert "Escort Pat confirmed" in page
    assert url not in page  # off the list


def test_the_api_confirms_the_escort_by_phone(login, front_desk, tomorrows_visit):
    url = f"/api/v1/appointments/{tomorrows_visit.pk}/escort-confirm/"
    response = login(front_desk).post(url)
    assert response.status_code == 200, response.content
    assert response.json()["escort_confirmed_by"] == front_desk.pk


def test_a_cancelled_visit_shows_no_escort_warning_on_the_board(
    login, front_desk, site, nurse, patient
):
    start = datetime.datetime.now(tz=LA).replace(hour=9, minute=0, second=0, microsecond=0)
    visit(patient, site, nurse, start, AppointmentStatus.CANCELLED)
    url = reverse("scheduling:board") + f"?location={site.pk}&date={start.date().isoformat()}"
    page = login(front_desk).get(url).content.decode()
    assert "Escort not confirmed" not in page


# --- Times in the site's zone in every message --------------------------------------------------


@pytest.mark.usefixtures("shifts")
def test_a_reschedule_refusal_and_its_note_give_the_sites_time_not_utc(
    front_desk, nurse, site, chairs, patient, protocol
):
    from django.core.exceptions import ValidationError

    from scheduling import services
    from tests.helpers import book_course

    course = book_course(patient, protocol, site, chairs[0], nurse, front_desk, hour=9)
    first, second = course.appointments.order_by("starts_at")[:2]
    too_close = first.starts_at + datetime.timedelta(hours=2)
    with pytest.raises(ValidationError) as refused:
        services.appointment_reschedule(
            appointment=second, starts_at=too_close, changed_by=front_desk
        )
    message = " ".join(refused.value.messages)
    assert "09:00" in message and "17:00" not in message and "16:00" not in message
    later = second.starts_at + datetime.timedelta(hours=1)
    services.appointment_reschedule(appointment=second, starts_at=later, changed_by=front_desk)
    note = second.status_changes.order_by("-pk").first().reason
    assert "09:00" in note, note
