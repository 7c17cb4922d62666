"""Chairside charting: the record's transitions, vitals (impossible, implausible, alerts,
NEWS2), events, completion, discharge, corrections, the append-only chart and the API."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from clinic.transitions import IllegalTransition
from infusions.models import (
    AckAction,
    Alert,
    InfusionRecord,
    InfusionStatus,
    InfusionStatusEvent,
    VitalsReading,
)
from infusions.models.charting import ALLOWED_TRANSITIONS
from infusions.services import (
    alert_acknowledge,
    correction_record,
    infusion_check_in,
    infusion_complete,
    infusion_pause,
    infusion_recovery,
    infusion_resume,
    infusion_start,
    infusion_stop,
    side_effect_record,
    vitals_due,
    vitals_record,
)
from infusions.services.transitions import _transition
from patients.models import OutcomeMeasure
from scheduling.models import AppointmentStatus
from tests.chair_clock import advance
from tests.helpers import ALDRETE_9, GOOD, discharge, in_recovery

S = InfusionStatus


# --- Transitions ---------------------------------------------------------------------------

ALL = [""] + list(S.values)


@pytest.mark.parametrize(
    ("from_status", "to_status"), [(a, b) for a in ALL for b in S.values]
)  # fmt: skip
def test_every_transition_is_allowed_only_if_the_table_says_so(
    record, nurse, from_status, to_status
):
    record.status = from_status  # put the row in the state under test, then try the move
    if ALLOWED_TRANSITIONS.allowed(from_status, to_status):
        event = _transition(record, to_status, nurse, record.checked_in_at)
        assert event.from_status == from_status and record.status == to_status
    else:
        with pytest.raises(IllegalTransition):
            _transition(record, to_status, nurse, record.checked_in_at)


def test_check_in_opens_the_record_and_checks_the_appointment_in(record, appointment):
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
    assert record.status == S.CHECKED_IN
    assert record.statuses.get().to_status == S.CHECKED_IN
    with pytest.raises(ValidationError):
        infusion_check_in(appointment=appointment, by=record.checked_in_by)


def test_start_needs_baseline_vitals(record, verified_order, nurse):
    with pytest.raises(IllegalTransition):
        infusion_start(record=record, by=nurse)  # still checked in: no baseline


def test_start_needs_a_double_checked_order(record, signed_order, nurse):
    vitals_record(record=record, taken_by=nurse, **GOOD)
    with pytest.raises(ValidationError, match="double-check"):
        infusion_start(record=record, by=nurse)
    assert InfusionRecord.objects.get(pk=record.pk).started_at is None


def test_a_full_session_moves_the_appointment_and_records_exact_times(
    running, appointment, nurse, verified_order
):
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.IN_CHAIR
    assert running.started_at and running.order == verified_order
    statuses = [e.to_status for e in running.statuses.all()]
    assert statuses == [S.CHECKED_IN, S.PRE_ASSESSMENT, S.READY, S.RUNNING]
    infusion_pause(record=running, by=nurse, reason="Nausea")
    infusion_resume(record=running, by=nurse, reason="Settled")
    in_recovery(running, nurse)
    dis = discharge(running, nurse)
    appointment.refresh_from_db()
    running.refresh_from_db()
    assert appointment.status == AppointmentStatus.COMPLETED
    assert running.status == S.DISCHARGED and running.ended_at > running.started_at
    assert dis.total == 9 and dis.pain_measure.context == "post_infusion"
    assert OutcomeMeasure.objects.get(pk=dis.pain_measure_id).score == 3


def test_pause_and_stop_need_a_reason(running, nurse):
    with pytest.raises(ValidationError):
        infusion_pause(record=running, by=nurse, reason=" ")
    infusion_stop(record=running, by=nurse, reason="Patient asked")
    running.refresh_from_db()
    assert running.status == S.STOPPED and running.ended_at


# --- Vitals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"diastolic_mmhg": 120}, "diastolic_mmhg"), ({"diastolic_mmhg": 130}, "diastolic_mmhg"),
     ({"spo2_percent": 101}, "spo2_percent"), ({"pulse_bpm": -5}, "pulse_bpm"),
     ({"systolic_mmhg": 0}, "systolic_mmhg"), ({"pulse_bpm": ""}, "pulse_bpm")],
)  # fmt: skip
def test_impossible_values_are_refused_with_field_errors(record, nurse, changes, field):
    with pytest.raises(ValidationError) as error:
        vitals_record(record=record, taken_by=nurse, **{**GOOD, **changes})
    assert field in error.value.message_dict
    assert not VitalsReading.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [{"systolic_mmhg": 221}, {"systolic_mmhg": 69, "diastolic_mmhg": 40}, {"pulse_bpm": 181},
     {"pulse_bpm": 34}, {"spo2_percent": 79}],
)  # fmt: skip
def test_implausible_values_need_a_confirmation(record, nurse, changes):
    with pytest.raises(ValidationError) as error:
        vitals_record(record=record, taken_by=nurse, **{**GOOD, **changes})
    assert "confirm_implausible" in error.value.message_dict
    reading, _alerts = vitals_record(
        record=record, taken_by=nurse, confirm_implausible=True, **{**GOOD, **changes}
    )
    assert reading.implausible_confirmed


@pytest.mark.parametrize(
    ("field", "quiet", "alerting"),
    [("systolic_mmhg", 180, 181), ("systolic_mmhg", 90, 89), ("diastolic_mmhg", 110, 111),
     ("pulse_bpm", 130, 131), ("pulse_bpm", 50, 49), ("spo2_percent", 92, 91)],
)  # fmt: skip
def test_an_alert_is_raised_just_beyond_each_protocol_threshold(
    record, nurse, field, quiet, alerting
):
    _reading, alerts = vitals_record(record=record, taken_by=nurse, **{**GOOD, field: quiet})
    assert alerts == []
    _reading, alerts = vitals_record(record=record, taken_by=nurse, **{**GOOD, field: alerting})
    assert len(alerts) == 1
    assert alerts[0].protocol_version == record.protocol_version


def test_news2_is_stored_for_a_complete_set(record, nurse):
    reading, _ = vitals_record(
        record=record, taken_by=nurse, systolic_mmhg=105, diastolic_mmhg=70, pulse_bpm=95,
        spo2_percent=95, respiratory_rate_per_min=21, consciousness="A",
        temperature_c="38.5",
    )  # fmt: skip
    assert (reading.news2_score, reading.news2_band) == (6, "medium")
    partial, _ = vitals_record(record=record, taken_by=nurse, **GOOD)
    assert partial.news2_score is None


def test_acknowledging_an_alert_by_pausing_pauses_the_infusion(running, nurse, physician):
    _r, alerts = vitals_record(record=running, taken_by=nurse, **{**GOOD, "systolic_mmhg": 190})
    alert_acknowledge(alert=alerts[0], by=nurse, action=AckAction.PAUSED, note="Rechecking")
    running.refresh_from_db()
    assert running.status == S.PAUSED
    with pytest.raises(ValidationError):
        alert_acknowledge(alert=alerts[0], by=nurse, action=AckAction.STOPPED)
    _r, more = vitals_record(record=running, taken_by=nurse, **{**GOOD, "pulse_bpm": 135})
    with pytest.raises(ValidationError) as error:
        alert_acknowledge(alert=more[0], by=nurse, action=AckAction.CONTINUED)
    assert "physician" in error.value.message_dict
    ack = alert_acknowledge(alert=more[0], by=nurse, action=AckAction.CONTINUED,
                            physician=physician)  # fmt: skip
    assert ack.physician == physician


def test_vitals_fall_due_at_the_protocol_interval(running, nurse):
    due, overdue = vitals_due(running, running.started_at)
    minutes = running.protocol_version.vitals_interval_minutes
    assert (due - running.started_at).total_seconds() == minutes * 60 and not overdue


def test_a_raw_sql_update_or_delete_of_a_vitals_row_fails(record, nurse):
    reading, _ = vitals_record(record=record, taken_by=nurse, **GOOD)
    for sql in (
        "UPDATE infusions_vitalsreading SET systolic_mmhg = 130 WHERE id = %s",
        "DELETE FROM infusions_vitalsreading WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [reading.pk])
    assert VitalsReading.objects.get(pk=reading.pk).systolic_mmhg == 120


def test_status_events_are_append_only(record):
    with pytest.raises(DatabaseError), transaction.atomic():
        InfusionStatusEvent.objects.filter(record=record).update(reason="edited")


# --- Events, corrections, discharge ----------------------------------------------------------


def test_a_side_effect_with_cadss_and_an_antiemetic(running, nurse):
    cadss = {f"item_{n}": 1 for n in range(1, 7)}
    event = side_effect_record(
        record=running, by=nurse, side_effect="dissociation", severity="mild",
        cadss_items=cadss, intervention="Antiemetic given", intervention_drug="Ondansetron",
        intervention_dose="4 mg IV",
    )  # fmt: skip
    assert event.cadss_total == 6
    with pytest.raises(ValidationError):
        side_effect_record(record=running, by=nurse, side_effect="dissociation",
                           severity="mild", cadss_items={"item_1": 5})  # fmt: skip


def test_a_correction_points_at_the_wrong_reading_which_stays(record, nurse):
    wrong, _ = vitals_record(record=record, taken_by=nurse, **GOOD)
    correction = correction_record(record=record, by=nurse, vitals=wrong, reason="Wrong patient")
    assert correction.vitals == wrong and VitalsReading.objects.filter(pk=wrong.pk).exists()
    with pytest.raises(ValidationError):
        correction_record(record=record, by=nurse, vitals=wrong, reason="Again")


def test_discharge_is_refused_below_the_minimum_score(running, nurse):
    in_recovery(running, nurse)
    with pytest.raises(ValidationError) as error:
        discharge(running, nurse, item_scores={**ALDRETE_9, "activity": 1})
    assert "below the protocol's minimum" in error.value.message_dict["item_scores"][0]


def test_discharge_is_refused_without_the_escort_present(running, nurse):
    in_recovery(running, nurse)
    for changes in ({"escort_present": False}, {"escort_name": " "}):
        with pytest.raises(ValidationError) as error:
            discharge(running, nurse, **changes)
        assert "escort_name" in error.value.message_dict
    running.refresh_from_db()
    assert running.status == S.RECOVERY


def test_vitals_far_from_baseline_need_an_override_reason(running, nurse):
    advance(41)
    infusion_complete(record=running, by=nurse, administered_mg=Decimal("34.9"))
    infusion_recovery(record=running, by=nurse)
    advance(31)
    vitals_record(record=running, taken_by=nurse, **{**GOOD, "systolic_mmhg": 150})
    with pytest.raises(ValidationError) as error:
        discharge(running, nurse)
    assert "vitals_override_reason" in error.value.message_dict
    dis = discharge(running, nurse, vitals_override_reason="Usual BP per physician")
    assert not dis.vitals_within_baseline


# --- API -------------------------------------------------------------------------------------


def test_the_api_lists_records_and_takes_vitals_but_not_edits(login, running, nurse):
    client = login(nurse)
    listed = client.get("/api/v1/infusion-records/")
    assert listed.status_code == 200 and listed.json()["results"][0]["id"] == running.pk
    created = client.post(
        "/api/v1/infusion-vitals/",
        {"record": running.pk, **GOOD, "systolic_mmhg": 185},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["alerts"][0]["breaches"][0]["parameter"] == "systolic"
    reading = created.json()["id"]
    assert client.patch(f"/api/v1/infusion-vitals/{reading}/", {}).status_code == 405
    bad = client.post(
        "/api/v1/infusion-vitals/", {"record": running.pk, **GOOD, "spo2_percent": 101},
        content_type="application/json",
    )  # fmt: skip
    assert bad.status_code == 400 and "spo2_percent" in bad.json()["errors"]
    assert Alert.objects.count() == 1


def test_a_reading_typed_in_later_keeps_its_time_but_never_a_future_or_pre_check_in_one(
    login, running, nurse
):
    """The API takes ``taken_at`` (a reading from the monitor's printout or from paper); a
    time in the future would stay the latest reading for good (next one due, back to
    baseline), and one before the check-in belongs to no visit. 400 on the field, nothing
    written."""
    client = login(nurse)
    before = VitalsReading.objects.count()

    def post(taken_at):
        return client.post(
            "/api/v1/infusion-vitals/",
            {"record": running.pk, **GOOD, "taken_at": taken_at.isoformat()},
            content_type="application/json",
        )

    tomorrow = post(timezone.now() + datetime.timedelta(days=1))
    assert tomorrow.status_code == 400
    assert tomorrow.json()["errors"]["taken_at"] == ["A reading cannot be timed in the future."]
    too_early = post(running.checked_in_at - datetime.timedelta(hours=1))
    assert too_early.status_code == 400
    assert "before the patient was checked in" in too_early.json()["errors"]["taken_at"][0]
    assert VitalsReading.objects.count() == before
    late = running.checked_in_at  # the earliest a reading of this visit can be
    typed_later = post(late)
    assert typed_later.status_code == 201, typed_later.content
    reading = VitalsReading.objects.get(pk=typed_later.json()["id"])
    assert reading.taken_at == late and reading.recorded_at > late
    skewed = post(timezone.now() + datetime.timedelta(minutes=2))  # a clock a little fast
    assert skewed.status_code == 201, skewed.content


# --- Chair screen and admin -------------------------------------------------------------------


@pytest.mark.usefixtures("daytime")  # not across midnight (tests/conftest.py)
def test_the_chair_screen_shows_an_overdue_baseline_and_saves_vitals_with_htmx(
    login, appointment, nurse
):
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=30), tick=True):
        record = infusion_check_in(appointment=appointment, by=nurse)
    client = login(nurse)
    page = client.get(f"/infusions/appointments/{record.appointment_id}/chair/")
    assert page.status_code == 200 and b"VITALS OVERDUE" in page.content
    assert b'inputmode="numeric"' in page.content and b"style=" not in page.content
    url = f"/infusions/records/{record.pk}/vitals/"
    partial = client.post(url, {**GOOD, "spo2_percent": 101}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and b"cannot be above 100%" in partial.content
    assert b"<html" not in partial.content
    saved = client.post(url, GOOD, HTTP_HX_REQUEST="true")
    assert b"120/78" in saved.content and b"Start infusion" in saved.content


def test_the_nurse_home_links_the_chair_screen(login, appointment, nurse):
    page = login(nurse).get("/infusions/nurse/")
    assert f"/infusions/appointments/{appointment.pk}/chair/".encode() in page.content


def test_the_admin_shows_charted_vitals_read_only(admin_client, record, nurse):
    reading, _ = vitals_record(record=record, taken_by=nurse, **GOOD)
    assert admin_client.get("/admin/infusions/vitalsreading/").status_code == 200
    assert (
        admin_client.get(f"/admin/infusions/vitalsreading/{reading.pk}/change/").status_code == 200
    )
    assert admin_client.get("/admin/infusions/vitalsreading/add/").status_code == 403
    assert (
        admin_client.post(f"/admin/infusions/vitalsreading/{reading.pk}/delete/").status_code == 403
    )
