"""Issue 18, item 7: a check-in made by mistake, with nothing charted, is undone with a
reason, back to the status before it; append-only (a status-history row, and the chart's
own status event); the visit can be checked in again on its day."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from infusions.models import InfusionStatus
from infusions.services import infusion_check_in, side_effect_record, vitals_record
from scheduling.models import AppointmentStatus
from scheduling.services import appointment_check_in_undo, appointment_transition
from tests.helpers import GOOD

S = AppointmentStatus


def undo(appointment, who, reason="Wrong patient: Pat Lee, not Pat Leigh"):
    return appointment_check_in_undo(appointment=appointment, changed_by=who, reason=reason)


def test_a_board_check_in_is_undone_back_to_confirmed_with_the_reason(appointment, front_desk):
    appointment_transition(appointment=appointment, to_status=S.CONFIRMED, changed_by=front_desk)
    appointment_transition(appointment=appointment, to_status=S.CHECKED_IN, changed_by=front_desk)
    undone = undo(appointment, front_desk)
    assert undone.status == S.CONFIRMED
    history = list(appointment.status_changes.order_by("pk").values_list(
        "from_status", "to_status", "reason"
    ))  # fmt: skip
    assert history[-1] == (
        S.CHECKED_IN, S.CONFIRMED, "Check-in undone: Wrong patient: Pat Lee, not Pat Leigh"
    )  # fmt: skip
    assert len(history) == 3  # nothing rewritten: confirmed, checked in, undone


def test_an_undo_needs_a_reason_and_a_checked_in_visit(appointment, front_desk):
    with pytest.raises(ValidationError, match="checked-in visit"):
        undo(appointment, front_desk)
    appointment_transition(appointment=appointment, to_status=S.CHECKED_IN, changed_by=front_desk)
    with pytest.raises(ValidationError) as error:
        undo(appointment, front_desk, reason="  ")
    assert error.value.message_dict["reason"] == ["Say why the check-in is undone."]
    appointment.refresh_from_db()
    assert appointment.status == S.CHECKED_IN


def test_a_chair_check_in_with_nothing_charted_is_undone_and_can_be_made_again(
    record, appointment, nurse, second_nurse
):
    first_at = record.checked_in_at
    assert undo(appointment, nurse).status == S.SCHEDULED
    record.refresh_from_db()
    assert record.status == InfusionStatus.CHECK_IN_UNDONE
    assert record.statuses.last().reason == "Wrong patient: Pat Lee, not Pat Leigh"
    with pytest.raises(ValidationError, match="check-in was undone"):
        vitals_record(record=record, taken_by=nurse, **GOOD)
    again = infusion_check_in(appointment=appointment, by=second_nurse)
    assert again.pk == record.pk and again.status == InfusionStatus.CHECKED_IN
    assert again.checked_in_by == second_nurse and again.checked_in_at > first_at
    assert [s.to_status for s in again.statuses.all()] == [
        "checked_in", "check_in_undone", "checked_in"
    ]  # fmt: skip


def test_a_check_in_with_vitals_charted_is_not_undone(record, appointment, nurse):
    vitals_record(record=record, taken_by=nurse, **GOOD)
    with pytest.raises(ValidationError, match="chart has moved on"):
        undo(appointment, nurse)
    appointment.refresh_from_db()
    assert appointment.status == S.CHECKED_IN


def test_a_check_in_with_a_side_effect_charted_is_not_undone(record, appointment, nurse):
    side_effect_record(record=record, by=nurse, side_effect="nausea", severity="mild")
    with pytest.raises(ValidationError, match="Already charted for this visit: events"):
        undo(appointment, nurse)
    record.refresh_from_db()
    assert record.status == InfusionStatus.CHECKED_IN


def test_the_front_desk_cannot_undo_a_check_in_made_at_the_chair(record, appointment, front_desk):
    with pytest.raises(PermissionDenied):
        undo(appointment, front_desk)
    appointment.refresh_from_db()
    assert appointment.status == S.CHECKED_IN


def test_the_generic_status_change_cannot_go_back_from_checked_in(appointment, front_desk):
    appointment_transition(appointment=appointment, to_status=S.CHECKED_IN, changed_by=front_desk)
    with pytest.raises(ValidationError, match="cannot become scheduled"):
        appointment_transition(
            appointment=appointment, to_status=S.SCHEDULED, changed_by=front_desk
        )


# --- API and screens ---------------------------------------------------------------------


def test_the_api_undoes_a_check_in_and_refuses_without_a_reason(login, record, nurse):
    client = login(nurse)
    url = f"/api/v1/appointments/{record.appointment_id}/undo-check-in/"
    refused = client.post(url, {}, content_type="application/json")
    assert refused.status_code == 400 and "reason" in refused.json()["errors"]
    done = client.post(url, {"reason": "Booked twice"}, content_type="application/json")
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["status"] == "scheduled"
    assert body["status_changes"][-1]["reason"] == "Check-in undone: Booked twice"
    again = client.post(url, {"reason": "Twice"}, content_type="application/json")
    assert again.status_code == 400


def test_the_chair_screen_undoes_the_check_in_and_shows_the_check_in_form(login, record, nurse):
    client = login(nurse)
    chair = reverse("infusions:chair", args=[record.appointment_id])
    assert "Undo check-in" in client.get(chair).content.decode()
    url = reverse("infusions:chair_undo_check_in", args=[record.pk])
    refused = client.post(url, {"reason": ""})
    assert (
        refused.status_code == 400 and "Say why the check-in is undone" in refused.content.decode()
    )
    response = client.post(url, {"reason": "Wrong chair screen"})
    assert response.status_code == 302
    page = client.get(chair).content.decode()
    assert "Check in and open the chart" in page


def test_the_board_undoes_a_check_in_in_place(login, appointment, front_desk):
    appointment_transition(appointment=appointment, to_status=S.CHECKED_IN, changed_by=front_desk)
    client = login(front_desk)
    url = reverse("scheduling:check_in_undo", args=[appointment.pk])
    block = client.post(url, {"reason": "Wrong patient"}, HTTP_HX_REQUEST="true")
    html = block.content.decode()
    assert block.status_code == 200 and "Check in</button>" in html and "Scheduled" in html
    refused = client.post(url, {"reason": "Again"}, HTTP_HX_REQUEST="true")
    assert "Only a checked-in visit" in refused.content.decode()


def test_the_board_tells_the_front_desk_a_chair_check_in_is_the_nurses_to_undo(
    login, record, front_desk
):
    url = reverse("scheduling:check_in_undo", args=[record.appointment_id])
    block = login(front_desk).post(url, {"reason": "Wrong patient"}, HTTP_HX_REQUEST="true")
    assert block.status_code == 200
    assert "may not undo a check-in made at the chair" in block.content.decode()
    record.refresh_from_db()
    assert record.status == InfusionStatus.CHECKED_IN
