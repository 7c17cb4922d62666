"""The weekly nurse rota: services and the clinic admin's week grid."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from clinic.errors import ConflictError
from scheduling.models import NurseShift
from scheduling.services import rota
from scheduling.services.site_setup import closed_day_add
from tests.factories import LocationFactory
from tests.helpers import LA, at

MONDAY = datetime.date(2027, 3, 1)
NINE, FIVE = datetime.time(9), datetime.time(17)


@pytest.fixture(autouse=True)
def late_february_2027():
    with time_machine.travel(datetime.datetime(2027, 2, 24, 12, tzinfo=LA), tick=False):
        yield


def set_shift(admin, site, nurse, day=MONDAY, starts=NINE, ends=FIVE):
    return rota.shift_set(
        actor=admin, location=site, nurse=nurse, day=day, starts=starts, ends=ends
    )


def test_a_shift_is_set_in_the_sites_wall_clock_and_replaced_not_doubled(site, nurse, clinic_admin):
    set_shift(clinic_admin, site, nurse)
    shift = set_shift(clinic_admin, site, nurse, starts=datetime.time(7))
    assert NurseShift.objects.count() == 1
    assert shift.starts_at == at(MONDAY, 7) and shift.ends_at == at(MONDAY, 17)


def test_overlapping_shifts_for_one_nurse_are_refused_even_at_another_site(
    site, nurse, clinic_admin
):
    elsewhere = LocationFactory(name="Tustin", code="tustin")
    nurse.locations.add(elsewhere)
    set_shift(clinic_admin, site, nurse)
    with pytest.raises(ValidationError, match="already works at Irvine"):
        set_shift(clinic_admin, elsewhere, nurse, starts=datetime.time(16), ends=datetime.time(20))


def test_a_shift_is_refused_on_a_closed_day_for_a_non_nurse_and_backwards(
    site, nurse, front_desk, clinic_admin
):
    closed_day_add(actor=clinic_admin, location=site, date=MONDAY, reason="Inventory")
    with pytest.raises(ValidationError, match="closed on Mon 03/01 \\(Inventory\\)"):
        set_shift(clinic_admin, site, nurse)
    with pytest.raises(ValidationError, match="not an active nurse"):
        set_shift(clinic_admin, site, front_desk, day=MONDAY + datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="end after it starts"):
        set_shift(clinic_admin, site, nurse, day=MONDAY + datetime.timedelta(days=1), starts=FIVE,
                  ends=NINE)  # fmt: skip
    with pytest.raises(PermissionDenied):
        set_shift(nurse, site, nurse, day=MONDAY + datetime.timedelta(days=1))


def test_copy_last_week_keeps_set_cells_and_skips_closed_days(
    site, nurse, second_nurse, clinic_admin
):
    set_shift(clinic_admin, site, nurse)
    set_shift(clinic_admin, site, second_nurse)
    next_monday = MONDAY + datetime.timedelta(days=7)
    set_shift(clinic_admin, site, nurse, day=next_monday, starts=datetime.time(12))
    result = rota.week_copy_previous(actor=clinic_admin, location=site, monday=next_monday)
    assert len(result.created) == 1 and result.created[0].nurse == second_nurse
    assert result.created[0].starts_at == at(next_monday, 9)
    assert any("already has a shift" in reason for reason in result.skipped)


def test_repeat_is_bounded_to_twelve_weeks(site, clinic_admin):
    with pytest.raises(ValidationError, match="1 to 12 weeks"):
        rota.week_repeat(actor=clinic_admin, location=site, monday=MONDAY, weeks=13)


@pytest.mark.federal_holidays
def test_repeat_skips_memorial_day_with_the_reason(site, nurse, clinic_admin):
    set_shift(clinic_admin, site, nurse, day=datetime.date(2027, 5, 24))
    result = rota.week_repeat(
        actor=clinic_admin, location=site, monday=datetime.date(2027, 5, 24), weeks=1
    )
    assert result.created == []
    assert result.skipped == [f"Mon 05/31 {nurse}: Irvine is closed on Mon 05/31 "
                              "(Memorial Day, a US federal holiday)."]  # fmt: skip


def test_clearing_a_shift_that_booked_infusions_rely_on_is_refused(
    site, nurse, clinic_admin, monkeypatch
):
    shift = set_shift(clinic_admin, site, nurse)
    monkeypatch.setattr(rota, "_relied_on", lambda *args: 2)
    with pytest.raises(ConflictError):
        rota.shift_clear(actor=clinic_admin, shift=shift)
    monkeypatch.undo()
    rota.shift_clear(actor=clinic_admin, shift=shift)
    assert not NurseShift.objects.exists()


def test_the_rota_grid_shows_nurses_by_day_and_posts_through_the_services(
    login, site, nurse, clinic_admin
):
    client = login(clinic_admin)
    url = reverse("scheduling:rota") + f"?location={site.pk}&date=2027-03-03"
    change = reverse("scheduling:rota_change")
    response = client.post(change, {
        "location": site.pk, "week": "2027-03-01", "action": "set", "nurse": nurse.pk,
        "day": "2027-03-02", "starts": "08:00", "ends": "16:30",
    })  # fmt: skip
    assert response.status_code == 302 and "date=2027-03-01" in response["Location"]
    page = client.get(url).content.decode()
    assert str(nurse) in page and "08:00–16:30" in page
    response = client.post(change, {"location": site.pk, "week": "2027-03-01", "action": "set",
                                    "nurse": nurse.pk, "day": "2027-03-03", "starts": "bad",
                                    "ends": "16:30"}, follow=True)  # fmt: skip
    assert "Give the day, a start and an end time" in response.content.decode()
    assert NurseShift.objects.count() == 1


def test_the_rota_is_for_clinic_admins_only(login, site, nurse, front_desk):
    assert login(nurse).get(reverse("scheduling:rota")).status_code == 403
    assert login(front_desk).post(reverse("scheduling:rota_change"), {}).status_code == 403


def test_a_shift_on_a_past_day_is_refused(site, nurse, clinic_admin):
    with pytest.raises(ValidationError, match="Tue 02/23 has already passed"):
        set_shift(clinic_admin, site, nurse, day=datetime.date(2027, 2, 23))


def test_a_shift_on_a_weekday_the_site_is_not_open_is_refused(site, nurse, clinic_admin):
    from scheduling.models import OpeningHours

    for weekday in range(5):  # Monday to Friday
        OpeningHours.objects.create(location=site, weekday=weekday, opens_at=NINE, closes_at=FIVE)
    sunday = MONDAY - datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="not open on Sundays"):
        set_shift(clinic_admin, site, nurse, day=sunday)
    assert not NurseShift.objects.exists()
    set_shift(clinic_admin, site, nurse)  # Monday: open
