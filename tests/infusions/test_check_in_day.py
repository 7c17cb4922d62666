"""Issue 18, item 7: a patient is checked in only on the visit's day (in the visit's site's
zone), whichever door is used: the board, the chair screen, the API."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from infusions.models import InfusionRecord
from infusions.services import infusion_check_in, infusion_check_in_full
from patients.models import WeightMeasurement
from scheduling.models import AppointmentStatus, AppointmentStatusChange
from scheduling.services import appointment_transition
from tests.helpers import check_in, make_appointment

LA = ZoneInfo("America/Los_Angeles")
# Tuesday 12/08/2026, 23:30 in Irvine: 07:30 UTC on Wednesday.
VISIT = datetime.datetime(2026, 12, 8, 23, 30, tzinfo=LA)
THREE_DAYS_EARLY = VISIT - datetime.timedelta(days=3)


@pytest.fixture
def late_visit(site, nurse, protocol):
    with time_machine.travel(THREE_DAYS_EARLY, tick=False):
        return make_appointment(site=site, nurse=nurse, protocol=protocol, starts_at=VISIT)


def board_check_in(appointment, who):
    return appointment_transition(
        appointment=appointment, to_status=AppointmentStatus.CHECKED_IN, changed_by=who
    )


def test_checking_in_three_days_early_is_refused_naming_the_visit_day(late_visit, front_desk):
    with time_machine.travel(THREE_DAYS_EARLY, tick=False):
        with pytest.raises(ValidationError) as error:
            board_check_in(late_visit, front_desk)
    assert error.value.message_dict["status"] == [
        "This visit is not until Tuesday 12/08/2026: a patient is checked in only on the day "
        "of the visit (today is 12/05/2026 at Irvine)."
    ]
    late_visit.refresh_from_db()
    assert late_visit.status == AppointmentStatus.SCHEDULED
    assert not AppointmentStatusChange.objects.filter(appointment=late_visit).exists()


def test_checking_in_the_day_after_the_visit_is_refused(late_visit, front_desk):
    with time_machine.travel(VISIT + datetime.timedelta(hours=1), tick=False):
        with pytest.raises(ValidationError, match="was on Tuesday 12/08/2026"):
            board_check_in(late_visit, front_desk)


def test_the_visit_day_is_the_sites_day_not_the_servers(late_visit, front_desk, site):
    # 17:00 in Irvine on the visit's day is already Wednesday in UTC: still the visit's day.
    with time_machine.travel(datetime.datetime(2026, 12, 9, 1, 0, tzinfo=datetime.UTC)):
        assert board_check_in(late_visit, front_desk).status == AppointmentStatus.CHECKED_IN


def test_a_site_in_another_zone_uses_its_own_day(late_visit, front_desk, site):
    site.time_zone = "America/New_York"  # 23:30 in Irvine is 02:30 Wednesday in New York
    site.save(update_fields=["time_zone"])
    late_visit.refresh_from_db()
    with time_machine.travel(datetime.datetime(2026, 12, 8, 20, 0, tzinfo=LA), tick=False):
        with pytest.raises(ValidationError, match="not until Wednesday 12/09/2026"):
            board_check_in(late_visit, front_desk)


def test_the_chair_check_in_on_another_day_saves_nothing(late_visit, nurse):
    with time_machine.travel(THREE_DAYS_EARLY, tick=False):
        with pytest.raises(ValidationError, match="not until Tuesday 12/08/2026"):
            infusion_check_in_full(
                appointment=late_visit, by=nurse, escort_present=True, escort_name="Pat Lee",
                escort_phone="+19495550123", weight_value="70", weight_unit="kg", pain_nrs=3,
            )  # fmt: skip
        with pytest.raises(ValidationError, match="not until Tuesday"):
            infusion_check_in(appointment=late_visit, by=nurse)
    assert not InfusionRecord.objects.exists() and not WeightMeasurement.objects.exists()


# --- API and screens ---------------------------------------------------------------------


def test_the_api_refuses_a_check_in_on_another_day(login, late_visit, nurse):
    with time_machine.travel(THREE_DAYS_EARLY, tick=True):
        client = login(nurse)
        moved = client.post(
            f"/api/v1/appointments/{late_visit.pk}/transition/", {"to_status": "checked_in"},
            content_type="application/json",
        )  # fmt: skip
        charted = client.post(
            "/api/v1/infusion-records/", {"appointment": late_visit.pk},
            content_type="application/json",
        )  # fmt: skip
    assert moved.status_code == 400
    assert "not until Tuesday 12/08/2026" in moved.json()["errors"]["to_status"][0]
    assert charted.status_code == 400 and "not until Tuesday" in str(charted.json())
    late_visit.refresh_from_db()
    assert late_visit.status == AppointmentStatus.SCHEDULED


def test_the_board_offers_check_in_only_on_the_visits_day(login, late_visit, front_desk, site):
    board = reverse("scheduling:board") + f"?location={site.pk}&date=2026-12-08"
    with time_machine.travel(THREE_DAYS_EARLY, tick=True):
        early = login(front_desk).get(board).content.decode()
        posted = login(front_desk).post(
            reverse("scheduling:check_in", args=[late_visit.pk]), HTTP_HX_REQUEST="true"
        )
    assert late_visit.patient.display_name in early and "Check in</button>" not in early
    assert "not until Tuesday 12/08/2026" in posted.content.decode()
    with time_machine.travel(VISIT - datetime.timedelta(hours=1), tick=True):
        on_the_day = login(front_desk).get(board).content.decode()
    assert "Check in</button>" in on_the_day


def test_the_chair_check_in_page_says_not_today_and_offers_no_button(login, late_visit, nurse):
    with time_machine.travel(THREE_DAYS_EARLY, tick=True):
        client = login(nurse)
        page = client.get(reverse("infusions:chair", args=[late_visit.pk])).content.decode()
        refused = check_in(client, late_visit)
    assert "Not today." in page and "not until Tuesday 12/08/2026" in page
    assert "Check in and open the chart" not in page
    assert refused.status_code == 400 and "not until Tuesday" in refused.content.decode()
    assert not InfusionRecord.objects.exists()
