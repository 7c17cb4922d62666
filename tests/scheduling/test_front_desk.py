"""Issue 17, the front desk: the patient list before any search (today's and recently
viewed patients)."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from scheduling.models import Appointment, AppointmentStatus, Chair
from tests.factories import PatientFactory

from .conftest import LA


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
