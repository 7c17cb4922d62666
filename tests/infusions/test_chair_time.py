"""Issue 18, items 1, 8 (part) and 9: the chair's time rules, named as hazard and control.

A 40-minute infusion must not be "completed" after 33 s; a patient must not be discharged
16 s into recovery; an early stop must reach the physician; the API must offer every chair
step. The clock moves forward with ``tests.chair_clock.advance`` (never sleeps)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from infusions import timing
from infusions.models import DischargeOverride, EarlyStopReview, InfusionStatus
from infusions.services import (
    discharge_override_record,
    early_stop_review,
    infusion_complete,
    infusion_pause,
    infusion_record_stopped_dose,
    infusion_recovery,
    infusion_resume,
    infusion_stop,
    protocol_revise,
    vitals_record,
)
from tests.chair_clock import advance
from tests.helpers import ALDRETE_9, GOOD, PADSS_9, discharge

S = InfusionStatus
T0 = datetime.datetime(2026, 12, 5, 9, 0, tzinfo=datetime.UTC)

# Today's board and the overdue times: not across midnight (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("daytime")


def at(minutes: float) -> datetime.datetime:
    return T0 + datetime.timedelta(minutes=minutes)


# --- Pure arithmetic ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statuses", "now_minutes", "seconds"),
    [
        ([], 10, 0),
        ([("running", at(0))], 0.55, 33),
        ([("running", at(0))], 40, 2400),
        ([("running", at(0)), ("paused", at(20)), ("running", at(50))], 65, 35 * 60),
        ([("running", at(0)), ("paused", at(20))], 90, 20 * 60),
        ([("running", at(0)), ("completed", at(41))], 200, 41 * 60),
        ([("running", at(0)), ("paused", at(5)), ("running", at(6)), ("stopped", at(7))],
         60, 6 * 60),
    ],
)  # fmt: skip
def test_run_time_excludes_pauses_table(statuses, now_minutes, seconds):
    assert timing.run_seconds(statuses, at(now_minutes)) == seconds


@given(st.lists(st.integers(min_value=0, max_value=600), min_size=1, max_size=12))
def test_run_time_never_exceeds_the_wall_time_and_pauses_never_add(gaps):
    moments, statuses = 0, []
    for n, gap in enumerate(gaps):
        moments += gap
        statuses.append(("running" if n % 2 == 0 else "paused", at(moments / 60)))
    now = at(moments / 60 + 1)
    run = timing.run_seconds(statuses, now)
    assert 0 <= run <= (now - statuses[0][1]).total_seconds()
    running_only = timing.run_seconds(statuses[:1], now)
    assert run <= running_only


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0 s"), (33, "33 s"), (59, "59 s"), (60, "1 min"), (12 * 60 + 5, "12 min"),
     (3599, "59 min"), (3600, "1 h 00 min"), (65 * 60, "1 h 05 min"), (None, "–")],
)  # fmt: skip
def test_elapsed_times_read_unambiguously(seconds, text):
    assert timing.format_elapsed(seconds) == text


def test_a_baseline_due_at_check_in_is_not_late_until_one_interval_later():
    overdue = timing.vitals_overdue_at(
        status="checked_in", due_at=T0, ended_at=None, interval_minutes=10
    )
    assert overdue == at(10)
    assert timing.vitals_overdue_at(status="running", due_at=at(10), ended_at=None,
                                    interval_minutes=10) == at(10)  # fmt: skip


# --- Completing too early (service) ------------------------------------------------------


def test_hazard_completed_33_seconds_after_start_control_complete_refused_before_planned_time(
    running, nurse
):
    advance(0.55)
    with pytest.raises(ValidationError) as error:
        infusion_complete(record=running, by=nurse, administered_mg=Decimal("34.9"))
    message = error.value.message_dict["status"][0]
    assert "of its planned 40 min" in message and "Stop early" in message
    running.refresh_from_db()
    assert running.status == S.RUNNING and running.ended_at is None


def test_hazard_pause_counted_as_run_time_control_pauses_excluded_from_completion(running, nurse):
    advance(20)
    infusion_pause(record=running, by=nurse, reason="Nausea")
    advance(30)
    infusion_resume(record=running, by=nurse, reason="Settled")
    advance(15)  # 65 min on the wall clock, 35 min run
    with pytest.raises(ValidationError, match="35 min of its planned 40 min"):
        infusion_complete(record=running, by=nurse, administered_mg=Decimal("34.9"))
    advance(4)  # 39 min run: within the default 2 min tolerance
    done = infusion_complete(record=running, by=nurse, administered_mg=Decimal("34.9"))
    assert done.status == S.COMPLETED


def test_the_completion_tolerance_is_set_on_the_protocol_version(protocol, physician):
    version = protocol_revise(
        protocol=protocol, changed_by=physician, change_note="5 min", completion_tolerance_minutes=5
    )
    assert version.completion_tolerance_minutes == 5 and version.min_recovery_minutes == 30
    assert version.discharge_score_type == "aldrete"
    with pytest.raises(ValidationError) as error:
        protocol_revise(protocol=protocol, changed_by=physician, change_note="too long",
                        completion_tolerance_minutes=40)  # fmt: skip
    assert "completion_tolerance_minutes" in error.value.message_dict


# --- Stopping early tells the physician --------------------------------------------------


def stop_early(running, nurse):
    advance(10)
    infusion_stop(record=running, by=nurse, reason="Severe dissociation")
    return infusion_record_stopped_dose(record=running, by=nurse, administered_mg="8.5")


def test_hazard_early_stop_unseen_control_waits_on_the_physician_home_until_reviewed(
    login, running, nurse, physician
):
    stop_early(running, nurse)
    client = login(physician)
    home = client.get(reverse("infusions:physician_home")).content.decode()
    assert (
        "Infusions stopped early or not given (1)" in home
        and running.appointment.patient.display_name in home
    )
    with pytest.raises(PermissionDenied):
        early_stop_review(record=running, by=nurse)
    url = reverse("infusions:early_stop_reviewed", args=[running.pk])
    assert client.post(url, {"note": "Spoke to the patient"}).status_code == 302
    home = client.get(reverse("infusions:physician_home")).content.decode()
    assert "Infusions stopped early or not given (1)" not in home and "None waiting." in home
    review = EarlyStopReview.objects.get(record=running)
    assert review.by == physician and review.note == "Spoke to the patient"
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE infusions_earlystopreview SET note = 'x'")


def test_an_early_stop_of_another_site_is_not_on_my_home(login, running, nurse, other_site):
    from tests.factories import UserFactory

    stop_early(running, nurse)
    elsewhere = UserFactory(role="physician", locations=[other_site])
    home = login(elsewhere).get(reverse("infusions:physician_home")).content.decode()
    assert "None waiting." in home


# --- Discharging too early (service) -----------------------------------------------------


def recovering(running, nurse):
    advance(41)
    infusion_complete(record=running, by=nurse, administered_mg=Decimal("34.9"))
    return infusion_recovery(record=running, by=nurse)


def test_hazard_discharged_16_seconds_into_recovery_control_minimum_recovery_time(running, nurse):
    recovering(running, nurse)
    advance(0.27)
    vitals_record(record=running, taken_by=nurse, **GOOD)
    with pytest.raises(ValidationError) as error:
        discharge(running, nurse)
    assert "of the protocol's minimum 30 min" in error.value.message_dict["status"][0]
    running.refresh_from_db()
    assert running.status == S.RECOVERY


def test_hazard_discharge_on_stale_vitals_control_a_recovery_reading_after_the_minimum(
    running, nurse
):
    recovering(running, nurse)
    vitals_record(record=running, taken_by=nurse, **GOOD)
    advance(31)
    with pytest.raises(ValidationError, match="Take a recovery reading"):
        discharge(running, nurse)
    vitals_record(record=running, taken_by=nurse, **GOOD)
    assert discharge(running, nurse).total == 9


def test_hazard_early_discharge_unaccounted_control_physician_override_named_with_reason(
    login, running, nurse, physician
):
    recovering(running, nurse)
    vitals_record(record=running, taken_by=nurse, **GOOD)
    with pytest.raises(PermissionDenied):
        discharge_override_record(record=running, by=nurse, reason="Ride leaving")
    with pytest.raises(ValidationError):
        discharge_override_record(record=running, by=physician, reason=" ")
    override = discharge_override_record(record=running, by=physician, reason="Stable, seen")
    assert discharge(running, nurse).total == 9
    assert DischargeOverride.objects.get(record=running) == override
    printed = login(nurse).get(reverse("infusions:record_print", args=[running.appointment_id]))
    html = printed.content.decode()
    assert "DISCHARGE BEFORE MINIMUM RECOVERY ALLOWED" in html and "Stable, seen" in html
    assert 'id="flag-short-recovery"' in html


def test_hazard_wrong_discharge_score_control_the_score_is_the_protocol_versions(
    protocol, physician, running, nurse
):
    recovering(running, nurse)
    advance(31)
    vitals_record(record=running, taken_by=nurse, **GOOD)
    with pytest.raises(ValidationError) as error:
        discharge(running, nurse, score_type="padss", item_scores=PADSS_9)
    assert "Modified Aldrete" in error.value.message_dict["score_type"][0]


def test_a_padss_protocol_version_discharges_with_padss(protocol, physician):
    version = protocol_revise(protocol=protocol, changed_by=physician, change_note="PADSS",
                              discharge_score_type="padss")  # fmt: skip
    assert version.discharge_score_type == "padss"


# --- The printable record and the chair screen -------------------------------------------


def test_the_printed_record_flags_an_early_stop_and_reads_times_unambiguously(
    login, running, nurse
):
    stop_early(running, nurse)
    html = login(nurse).get(reverse("infusions:record_print", args=[running.appointment_id]))
    html = html.content.decode()
    assert "STOPPED EARLY" in html and "Severe dissociation" in html
    assert "10 min of 40 min planned" in html and "Not yet reviewed by a physician" in html


def test_the_chair_screen_disables_complete_and_offers_stop_early(login, running, nurse):
    advance(0.55)
    html = login(nurse).get(reverse("infusions:chair", args=[running.appointment_id]))
    html = html.content.decode()
    assert 'id="complete-button" disabled data-enable-at=' in html
    assert "33 s of its planned 40 min" in html and ">Stop early</button>" in html


# --- The API offers every chair step -----------------------------------------------------


def api(client, record, step, body=None):
    return client.post(
        f"/api/v1/infusion-records/{record.pk}/{step}/", body or {},
        content_type="application/json",
    )  # fmt: skip


def test_hazard_api_complete_too_early_control_refused_with_the_reason(login, running, nurse):
    client = login(nurse)
    advance(0.55)
    refused = api(client, running, "complete", {"administered_mg": "34.9"})
    assert refused.status_code == 400 and "status" in refused.json()["errors"]
    shown = client.get(f"/api/v1/infusion-records/{running.pk}/").json()
    assert shown["status"] == "running" and "Stop early" in shown["complete_refused_because"]
    assert shown["run_seconds"] >= 33


def test_hazard_api_stopped_infusion_never_recovers_control_stopped_dose_action(
    login, running, nurse, physician
):
    client = login(nurse)
    advance(10)
    assert api(client, running, "stop", {"reason": "Vomiting"}).status_code == 200
    assert api(client, running, "recovery").status_code == 400  # mg given first
    bad = api(client, running, "stopped-dose", {"administered_mg": "abc"})
    assert bad.status_code == 400 and "administered_mg" in bad.json()["errors"]
    assert api(client, running, "stopped-dose", {"administered_mg": "9"}).status_code == 200
    moved = api(client, running, "recovery")
    assert moved.status_code == 200 and moved.json()["status"] == "recovery"
    assert api(client, running, "early-stop-review").status_code == 403  # nurse
    reviewed = api(login(physician), running, "early-stop-review", {"note": "OK"})
    assert reviewed.status_code == 200 and reviewed.json()["early_stop_reviews"][0]["note"] == "OK"


def test_hazard_api_discharge_too_early_control_refused_unless_physician_overrides(
    login, running, nurse, physician
):
    recovering(running, nurse)
    vitals_record(record=running, taken_by=nurse, **GOOD)
    client = login(nurse)
    body = {"record": running.pk, "score_type": "aldrete", "item_scores": ALDRETE_9,
            "escort_present": True, "escort_name": "Pat Lee", "pain_nrs": 3,
            "instructions_given": True}  # fmt: skip
    refused = client.post("/api/v1/infusion-discharges/", body, content_type="application/json")
    assert refused.status_code == 400 and "minimum 30 min" in str(refused.json())
    assert api(client, running, "discharge-override", {"reason": "x"}).status_code == 403
    doctor = login(physician)
    assert api(doctor, running, "discharge-override", {"reason": "Seen"}).status_code == 200
    client = login(nurse)
    done = client.post("/api/v1/infusion-discharges/", body, content_type="application/json")
    assert done.status_code == 201, done.content


def test_the_api_shows_and_revises_the_new_protocol_version_fields(login, protocol, physician):
    client = login(physician)
    body = {"protocol": protocol.pk, "change_note": "PADSS, 45 min recovery",
            "discharge_score_type": "padss", "min_recovery_minutes": 45}  # fmt: skip
    made = client.post("/api/v1/protocol-versions/", body, content_type="application/json")
    assert made.status_code == 201, made.content
    data = made.json()
    assert (data["discharge_score_type"], data["min_recovery_minutes"]) == ("padss", 45)
    assert data["completion_tolerance_minutes"] == 2


# --- Item 8: the board and the vitals prompt read times the same way ---------------------


def test_hazard_just_started_infusion_shows_0_min_control_board_shows_seconds(
    login, running, nurse
):
    advance(0.55)
    html = login(nurse).get(reverse("infusions:nurse_home")).content.decode()
    assert "<strong>33 s</strong>" in html and "<strong>0</strong> min" not in html


def test_hazard_overdue_right_after_check_in_control_baseline_late_only_after_an_interval(
    login, record, nurse
):
    page = login(nurse).get(reverse("infusions:chair", args=[record.appointment_id]))
    html = page.content.decode()
    assert "VITALS OVERDUE" not in html and "Next vitals due" in html
    overdue_at = record.checked_in_at + datetime.timedelta(minutes=10)
    assert 'data-overdue-at="20' in html
    advance(11)
    html = login(nurse).get(reverse("infusions:nurse_home")).content.decode()
    local = timezone.localtime(overdue_at).strftime("%H:%M")
    assert f"OVERDUE since {local}" in html


def test_the_chair_screen_override_is_for_a_physician_only(login, running, nurse, physician):
    recovering(running, nurse)
    url = reverse("infusions:chair_discharge_override", args=[running.pk])
    assert login(nurse).post(url, {"reason": "Ride is here"}).status_code == 403
    page = login(physician).get(reverse("infusions:chair", args=[running.appointment_id]))
    assert "Allow discharge now (my override)" in page.content.decode()
    refused = login(physician).post(url, {"reason": " "})
    assert refused.status_code == 400 and not DischargeOverride.objects.exists()
    assert login(physician).post(url, {"reason": "Seen, stable"}).status_code == 302
    override = DischargeOverride.objects.get(record=running)
    assert (override.by, override.reason) == (physician, "Seen, stable")
