"""The nurse board on the nurse home (minutes in, next vitals due, open alerts, in a fixed
number of queries) and the printable infusion record (scoped like the chair screen)."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from infusions.services import (
    correction_record,
    infusion_check_in,
    infusion_start,
    vitals_record,
)
from tests.helpers import GOOD, discharge, in_recovery, make_appointment
from tests.infusions.drawing import ensure_drawn

BOARD = "/infusions/nurse/"


def started_minutes_ago(appointment, nurse, verified_order, minutes):
    """Check in, take baseline vitals and start, ``minutes`` ago; no reading since."""
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=minutes), tick=True):
        record = infusion_check_in(appointment=appointment, by=nurse)
        vitals_record(record=record, taken_by=nurse, **GOOD)
        ensure_drawn(verified_order, by=nurse)
        return infusion_start(record=record, by=nurse)


@pytest.mark.usefixtures("daytime")  # not across midnight (tests/conftest.py)
def test_the_board_shows_minutes_in_and_an_overdue_reading(
    login, appointment, nurse, verified_order
):
    started_minutes_ago(appointment, nurse, verified_order, 40)
    page = login(nurse).get(BOARD)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<strong>40 min</strong>" in html or "<strong>39 min</strong>" in html
    assert "OVERDUE since" in html
    assert appointment.chair.name in html and appointment.patient.display_name in html
    assert reverse("infusions:chair", args=[appointment.pk]) in html
    assert reverse("infusions:dose_panel", args=[appointment.pk]) in html


def test_the_board_counts_open_alerts_with_a_red_badge(login, record, nurse):
    vitals_record(record=record, taken_by=nurse, **{**GOOD, "systolic_mmhg": 190})
    html = login(nurse).get(BOARD).content.decode()
    assert 'class="badge danger" aria-label="1 open alert"' in html
    assert "OVERDUE" not in html  # a baseline is in: nothing due before the start


def _board_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(BOARD).status_code == 200
    return len(queries)


def test_the_board_costs_the_same_queries_for_one_and_six_patients(
    login, record, nurse, site, protocol, django_assert_max_num_queries
):
    vitals_record(record=record, taken_by=nurse, **{**GOOD, "systolic_mmhg": 190})
    client = login(nurse)
    one = _board_queries(client)
    for _ in range(5):
        other = make_appointment(site=site, nurse=nurse, protocol=protocol)
        charted = infusion_check_in(appointment=other, by=nurse)
        vitals_record(record=charted, taken_by=nurse, **{**GOOD, "systolic_mmhg": 190})
        vitals_record(record=charted, taken_by=nurse, **GOOD)
    with django_assert_max_num_queries(one):
        page = client.get(BOARD)
    assert page.content.decode().count('aria-label="1 open alert"') == 6


def test_the_printed_record_strikes_a_corrected_reading_and_shows_the_discharge(
    login, running, nurse, appointment
):
    wrong, _ = vitals_record(record=running, taken_by=nurse, **{**GOOD, "systolic_mmhg": 131})
    correction_record(record=running, by=nurse, vitals=wrong, reason="Wrong cuff size")
    in_recovery(running, nurse)
    discharge(running, nurse)
    page = login(nurse).get(reverse("infusions:record_print", args=[appointment.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<del>131/78</del>" in html and "Wrong cuff size" in html
    assert 'id="discharge"' in html and "Pat Lee" in html and "Modified Aldrete 9/10" in html
    assert 'media="print"' in html and "infusions/print.css" in html
    assert "Running" in html and "Discharged" in html  # the status timeline


def test_the_chair_screen_links_the_printed_record(login, record, nurse, appointment):
    page = login(nurse).get(reverse("infusions:chair", args=[appointment.pk]))
    assert reverse("infusions:record_print", args=[appointment.pk]).encode() in page.content


def test_the_printed_record_is_for_clinical_staff_of_the_site(
    login, record, appointment, physician, clinic_admin, front_desk, other_site, protocol
):
    url = reverse("infusions:record_print", args=[appointment.pk])
    assert login(physician).get(url).status_code == 200
    assert login(clinic_admin).get(url).status_code == 200
    assert login(front_desk).get(url).status_code == 403


def test_another_sites_record_is_not_found(login, protocol, other_site, physician):
    from clinic.roles import Role
    from tests.factories import UserFactory

    elsewhere_nurse = UserFactory(username="sd-nurse", role=Role.NURSE, locations=[other_site])
    elsewhere = make_appointment(site=other_site, nurse=elsewhere_nurse, protocol=protocol)
    infusion_check_in(appointment=elsewhere, by=elsewhere_nurse)
    url = reverse("infusions:record_print", args=[elsewhere.pk])
    assert login(physician).get(url).status_code == 404


def test_a_visit_without_a_record_has_no_printed_record(login, appointment, nurse):
    url = reverse("infusions:record_print", args=[appointment.pk])
    assert login(nurse).get(url).status_code == 404
