"""A chart closed late keeps the times things happened: a chart left open overnight, completed
and discharged the next morning, ends when the infusion ended, not when the nurse found it
(the run time, the recovery minutes and the bill are taken from it), and says it is a late
entry, charted when, and why. Never in the future, never before the chart's latest change,
and more than 15 minutes back only with a reason."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from billing.coding import ADDITIONAL_HOUR, infusion_codes, infusion_minutes
from infusions.models import InfusionStatus
from infusions.services import (
    infusion_complete,
    infusion_record_stopped_dose,
    infusion_recovery,
    infusion_stop,
)
from tests.chair_clock import advance
from tests.helpers import ALDRETE_9, GOOD, discharge

NEXT_DAY = 26 * 60  # minutes: past the next local midnight, even on a 25-hour day
WHY = "Chart left open; times from the pump log and the paper discharge sheet"


def local_input(record, moment: datetime.datetime) -> str:
    """A datetime-local input's value at the visit's site."""
    return record.appointment.location.local(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_chart_left_open_is_completed_with_the_time_it_ended(running, nurse):
    advance(NEXT_DAY)
    ended = running.started_at + datetime.timedelta(minutes=41)
    record = infusion_complete(
        record=running, by=nurse, administered_mg=Decimal("34.9"), at=ended, late_reason=WHY
    )
    assert record.ended_at == ended
    event = record.statuses.get(to_status=InfusionStatus.COMPLETED)
    assert (event.at, event.late_reason) == (ended, WHY)
    assert event.recorded_at - ended > datetime.timedelta(hours=24)
    minutes = infusion_minutes(record.started_at, record.ended_at)
    codes = [line.code for line in infusion_codes(minutes, mg_given=Decimal("34.9"), ndc="")]
    assert minutes == 41 and ADDITIONAL_HOUR not in codes  # not 25 hours of infusion billed


def test_a_late_time_without_a_reason_is_refused_and_nothing_changes(running, nurse):
    advance(NEXT_DAY)
    statuses = running.statuses.count()
    ended = running.started_at + datetime.timedelta(minutes=41)
    with pytest.raises(ValidationError) as refused:
        infusion_complete(record=running, by=nurse, administered_mg="34.9", at=ended)
    assert "late_reason" in refused.value.message_dict
    running.refresh_from_db()
    assert running.status == InfusionStatus.RUNNING and running.ended_at is None
    assert running.statuses.count() == statuses


def test_a_time_in_the_future_or_before_the_latest_change_is_refused(running, nurse):
    for at, words in (
        (timezone.now() + datetime.timedelta(hours=1), "in the future"),
        (running.started_at - datetime.timedelta(minutes=1), "cannot be dated before it"),
    ):
        with pytest.raises(ValidationError) as refused:
            infusion_stop(record=running, by=nurse, reason="Nausea", at=at, late_reason=WHY)
        assert words in refused.value.message_dict["at"][0]
    running.refresh_from_db()
    assert running.status == InfusionStatus.RUNNING


def test_a_late_reason_without_a_time_is_refused(running, nurse):
    with pytest.raises(ValidationError) as refused:
        infusion_stop(record=running, by=nurse, reason="Nausea", late_reason=WHY)
    assert "Enter when it happened" in refused.value.message_dict["at"][0]


def test_a_step_charted_a_few_minutes_late_needs_no_reason(running, nurse):
    advance(10)
    stopped_at = timezone.now() - datetime.timedelta(minutes=5)
    infusion_stop(record=running, by=nurse, reason="Nausea", at=stopped_at)
    running.refresh_from_db()
    event = running.statuses.get(to_status=InfusionStatus.STOPPED)
    assert (running.ended_at, event.late_reason) == (stopped_at, "")
    assert event.recorded_at > stopped_at
    infusion_record_stopped_dose(record=running, by=nurse, administered_mg="20")
    infusion_recovery(record=running, by=nurse, at=timezone.now(), late_reason="Busy chair")
    assert running.statuses.get(to_status=InfusionStatus.RECOVERY).late_reason == "Busy chair"


def test_the_rules_still_hold_at_the_time_given(running, nurse):
    """Completing "at" 20 minutes into a 40-minute infusion is refused as it would have been
    then; discharging at a time before recovery had run its minimum likewise."""
    advance(NEXT_DAY)
    with pytest.raises(ValidationError) as refused:
        infusion_complete(
            record=running, by=nurse, administered_mg="34.9",
            at=running.started_at + datetime.timedelta(minutes=20), late_reason=WHY,
        )  # fmt: skip
    assert "Stop early" in refused.value.message_dict["status"][0]
    ended = running.started_at + datetime.timedelta(minutes=41)
    infusion_complete(record=running, by=nurse, administered_mg="34.9", at=ended, late_reason=WHY)
    infusion_recovery(record=running, by=nurse, at=ended, late_reason=WHY)
    with pytest.raises(ValidationError) as refused:
        discharge(running, nurse, at=ended + datetime.timedelta(minutes=10), late_reason=WHY)
    assert "minimum" in refused.value.message_dict["status"][0]


def test_the_chair_screen_closes_yesterdays_chart_with_its_times(login, running, nurse):
    """The whole close at the chair, the next day: complete, the end and recovery readings,
    recovery and discharge, each with the time it happened; the chart and the printed
    record show the late entries."""
    advance(NEXT_DAY)
    client = login(nurse)
    chair = reverse("infusions:chair", args=[running.appointment_id])
    page = client.get(chair).content.decode()
    assert "This visit was on" in page and 'name="late_reason"' in page
    assert "was never closed" in page and "VITALS OVERDUE" not in page  # not due a day late

    def step(name, at, **fields):
        response = client.post(
            reverse(f"infusions:chair_{name}", args=[running.pk]),
            {**fields, "at": local_input(running, at), "late_reason": WHY},
        )
        assert response.status_code == 302, response.content.decode()[:2000]

    ended = running.started_at + datetime.timedelta(minutes=41)
    left = ended + datetime.timedelta(minutes=45)
    step("complete", ended, administered_mg="34.9")
    for minutes in (1, 35):  # end of infusion; recovery, after the protocol's minimum
        step("vitals", ended + datetime.timedelta(minutes=minutes), **{
            **{k: str(v) for k, v in GOOD.items()},
            "taken_at": local_input(running, ended + datetime.timedelta(minutes=minutes)),
        })  # fmt: skip
        if minutes == 1:
            step("recovery", ended + datetime.timedelta(minutes=2))
    step("discharge", left, score_type="aldrete", escort_present="on", escort_name="Pat Lee",
         pain_nrs="3", instructions_given="on",
         **{f"aldrete__{item}": str(score) for item, score in ALDRETE_9.items()})  # fmt: skip
    running.refresh_from_db()
    assert running.status == InfusionStatus.DISCHARGED
    assert running.ended_at == ended.replace(second=0, microsecond=0)
    assert running.discharges.get().discharged_at == left.replace(second=0, microsecond=0)
    readings = running.vitals.order_by("pk")
    assert [r.phase for r in readings][-2:] == ["end", "recovery"]
    assert all(r.recorded_at - r.taken_at > datetime.timedelta(hours=20) for r in readings[1:])
    late = running.statuses.exclude(late_reason="")
    assert {s.to_status for s in late} == {"completed", "recovery", "discharged"}
    page = client.get(chair).content.decode()
    assert "late entry</strong>, charted" in page
    printed = client.get(reverse("infusions:record_print", args=[running.appointment_id]))
    assert "Late entry, charted" in printed.content.decode()


def test_a_wrong_time_on_the_chair_screen_names_the_field(login, running, nurse):
    advance(NEXT_DAY)
    client = login(nurse)
    response = client.post(
        reverse("infusions:chair_complete", args=[running.pk]),
        {"administered_mg": "34.9", "at": local_input(running, running.started_at)},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert "When it happened:</strong>" in page and "cannot be dated before it" in page
    running.refresh_from_db()
    assert running.status == InfusionStatus.RUNNING


def test_the_api_takes_the_time_and_the_reason_and_shows_them(login, running, nurse):
    advance(NEXT_DAY)
    client = login(nurse)
    url = f"/api/v1/infusion-records/{running.pk}/complete/"
    ended = running.started_at + datetime.timedelta(minutes=41)
    body = {"administered_mg": "34.90", "at": ended.isoformat()}
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 400 and "late_reason" in refused.json()["errors"]
    done = client.post(url, {**body, "late_reason": WHY}, content_type="application/json")
    assert done.status_code == 200, done.content
    data = done.json()
    assert datetime.datetime.fromisoformat(data["ended_at"]) == ended
    completed = [s for s in data["statuses"] if s["to_status"] == "completed"]
    assert completed[0]["late_reason"] == WHY and completed[0]["recorded_at"]
    future = client.post(
        f"/api/v1/infusion-records/{running.pk}/recovery/",
        {"at": (timezone.now() + datetime.timedelta(hours=2)).isoformat()},
        content_type="application/json",
    )
    assert future.status_code == 400 and "at" in future.json()["errors"]
    assert (
        client.post(
            f"/api/v1/infusion-records/{running.pk}/recovery/", {}, content_type="application/json"
        ).status_code
        == 200
    )  # without a time: now, as before


def test_vitals_taken_at_on_the_chair_screen(login, running, nurse):
    """A reading typed in later from the chair screen keeps its time (site's wall clock)."""
    advance(30)
    client = login(nurse)
    taken = timezone.now() - datetime.timedelta(minutes=20)
    response = client.post(
        reverse("infusions:chair_vitals", args=[running.pk]),
        {**{k: str(v) for k, v in GOOD.items()}, "taken_at": local_input(running, taken)},
    )
    assert response.status_code == 302
    reading = running.vitals.order_by("-pk").first()
    assert reading.taken_at == taken.replace(second=0, microsecond=0)


def test_a_reading_typed_in_later_takes_the_phase_of_the_time_it_was_taken(running, nurse):
    """Typed after "complete" but taken ten minutes into the infusion: a reading during the
    infusion, not an end-of-infusion one; a phase that does not fit its time is refused."""
    from infusions.services import vitals_record

    advance(45)
    infusion_complete(record=running, by=nurse, administered_mg="34.9")
    during = running.started_at + datetime.timedelta(minutes=10)
    reading, _ = vitals_record(record=running, taken_by=nurse, taken_at=during, **GOOD)
    assert reading.phase == "during"
    before = running.checked_in_at  # the start came a moment later
    assert vitals_record(record=running, taken_by=nurse, taken_at=before, **GOOD)[0].phase == (
        "baseline"
    )
    assert vitals_record(record=running, taken_by=nurse, **GOOD)[0].phase == "end"
    count = running.vitals.count()
    with pytest.raises(ValidationError) as refused:
        vitals_record(record=running, taken_by=nurse, taken_at=during, phase="recovery", **GOOD)
    assert "is a during reading, not recovery" in refused.value.message_dict["phase"][0]
    assert running.vitals.count() == count
    infusion_recovery(record=running, by=nurse)
    assert vitals_record(record=running, taken_by=nurse, **GOOD)[0].phase == "recovery"
