"""Not given: a patient checked in whose infusion does not start today (blood pressure above
the protocol's limit at the pre-assessment, no escort, the patient left). The chart closes
with the reason, final, and the visit is cancelled with it; drug drawn for it is wasted with a
witness first; a chart of an earlier day's never-started visit is on the nurse home until it
is closed that way, with the time it happened. The front desk's cancel of a checked-in visit
closes its chart the same way."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fhir_r4.resources import encounter
from infusions.models import InfusionStatus
from infusions.selectors.chart import left_open_for
from infusions.services import (
    infusion_drug_account,
    infusion_not_given,
    infusion_start,
    vitals_record,
)
from scheduling.models import AppointmentStatus
from scheduling.services import appointment_transition
from tests.chair_clock import advance
from tests.helpers import GOOD
from tests.infusions.drawing import draw_for
from tests.step_up import tablet_request

HIGH_BP = {**GOOD, "systolic_mmhg": 182, "diastolic_mmhg": 106}
WHY = "BP 182/106 at pre-assessment, above the protocol's limit; Dr. Reyes told"
NEXT_DAY = 26 * 60


def statuses(record) -> list[str]:
    return list(record.statuses.order_by("pk").values_list("to_status", flat=True))


def test_a_patient_sent_home_at_the_pre_assessment_is_charted_not_given(record, nurse):
    vitals_record(record=record, taken_by=nurse, **HIGH_BP)
    infusion_not_given(record=record, by=nurse, reason=f"  {WHY} ")
    record.refresh_from_db()
    assert record.status == InfusionStatus.NOT_GIVEN and record.started_at is None
    closed = record.statuses.last()
    assert (closed.from_status, closed.reason, closed.by) == ("pre_assessment", WHY, nurse)
    appointment = record.appointment
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    change = appointment.status_changes.order_by("pk").last()
    assert (change.to_status, change.reason, change.changed_by) == (
        "cancelled", f"Not given: {WHY}", nurse
    )  # fmt: skip
    # Final: nothing more is charted, nothing starts, it is not closed twice.
    with pytest.raises(ValidationError, match="charted as not given; the chart is closed"):
        vitals_record(record=record, taken_by=nurse, **GOOD)
    with pytest.raises(ValidationError):
        infusion_start(record=record, by=nurse)
    with pytest.raises(ValidationError, match="already charted as not given"):
        infusion_not_given(record=record, by=nurse, reason="Again")
    assert statuses(record) == ["checked_in", "pre_assessment", "not_given"]
    resource = encounter(record)  # arrived, assessed, sent home: finished, no dose given
    assert resource["status"] == "finished" and resource["period"]["end"]


def test_without_a_reason_nothing_changes(record, nurse):
    with pytest.raises(ValidationError) as refused:
        infusion_not_given(record=record, by=nurse, reason="   ")
    assert refused.value.message_dict["reason"] == ["Say why the infusion is not given today."]
    record.refresh_from_db()
    record.appointment.refresh_from_db()
    assert record.status == InfusionStatus.CHECKED_IN
    assert record.appointment.status == AppointmentStatus.CHECKED_IN


def test_a_started_infusion_is_stopped_early_not_charted_not_given(running, nurse):
    with pytest.raises(ValidationError) as refused:
        infusion_not_given(record=running, by=nurse, reason=WHY)
    assert "stop it early instead" in refused.value.message_dict["status"][0]
    running.refresh_from_db()
    assert running.status == InfusionStatus.RUNNING


def test_the_front_desk_cannot_chart_it(record, front_desk):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        infusion_not_given(record=record, by=front_desk, reason=WHY)


def test_drug_drawn_for_the_visit_is_wasted_with_a_witness_first(
    record, verified_order, nurse, second_nurse, password
):
    vitals_record(record=record, taken_by=nurse, **HIGH_BP)
    draw_for(verified_order, by=nurse)
    with pytest.raises(ValidationError) as refused:
        infusion_not_given(record=record, by=nurse, reason=WHY)
    message = refused.value.message_dict["status"][0]
    assert "35 mg of ketamine was drawn for this visit and is not accounted for" in message
    record.refresh_from_db()
    assert record.status == InfusionStatus.PRE_ASSESSMENT
    infusion_drug_account(
        order=verified_order, administered_mg=Decimal("0"), wasted_mg=Decimal("35.00"),
        witness=second_nurse, by=nurse, witness_password=password, request=tablet_request(),
    )  # fmt: skip
    infusion_not_given(record=record, by=nurse, reason=WHY)
    record.refresh_from_db()
    assert record.status == InfusionStatus.NOT_GIVEN


def test_the_desk_cancelling_a_checked_in_visit_closes_its_chart(record, front_desk):
    appointment_transition(
        appointment=record.appointment, to_status=AppointmentStatus.CANCELLED,
        changed_by=front_desk, reason="Patient left before being seen",
    )  # fmt: skip
    record.refresh_from_db()
    assert record.status == InfusionStatus.NOT_GIVEN
    closed = record.statuses.last()
    assert (closed.reason, closed.by) == ("Visit cancelled: Patient left before being seen",
                                          front_desk)  # fmt: skip


def test_the_desk_cannot_cancel_a_visit_whose_drawn_drug_is_not_accounted_for(
    record, verified_order, nurse, front_desk
):
    draw_for(verified_order, by=nurse)
    with pytest.raises(ValidationError, match="not accounted for"):
        appointment_transition(
            appointment=record.appointment, to_status=AppointmentStatus.CANCELLED,
            changed_by=front_desk, reason="Patient left",
        )  # fmt: skip
    record.refresh_from_db()
    record.appointment.refresh_from_db()
    assert record.status == InfusionStatus.CHECKED_IN
    assert record.appointment.status == AppointmentStatus.CHECKED_IN


def test_yesterdays_never_started_visit_is_left_open_until_charted_not_given(login, record, nurse):
    """Checked in, assessed, sent home, never charted: the next morning it is on the nurse
    home's left-open list; it cannot be started a day late; the chair screen closes it as not
    given at the time it was decided, with why it is charted late."""
    vitals_record(record=record, taken_by=nurse, **HIGH_BP)
    decided = timezone.now() + datetime.timedelta(minutes=5)
    advance(NEXT_DAY)
    assert list(left_open_for(nurse)) == [record]
    with pytest.raises(ValidationError, match="not started on a later day"):
        infusion_start(record=record, by=nurse)
    client = login(nurse)
    page = client.get(reverse("infusions:chair", args=[record.appointment_id])).content.decode()
    assert "Never started: chart it as not given" in page and "Start infusion" not in page
    assert "Chart as not given</button>" in page and "Not given today" not in page
    home = client.get(reverse("infusions:nurse_home")).content.decode()
    assert 'id="left-open"' in home and "Not given" in home
    response = client.post(
        reverse("infusions:chair_not_given", args=[record.pk]),
        {"reason": WHY, "not_given": "1",
         "at": record.appointment.location.local(decided).strftime("%Y-%m-%dT%H:%M"),
         "late_reason": "Sent home on paper; chart left open"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    record.refresh_from_db()
    closed = record.statuses.last()
    assert record.status == InfusionStatus.NOT_GIVEN
    assert closed.at == decided.replace(second=0, microsecond=0)
    assert closed.late_reason == "Sent home on paper; chart left open"
    assert list(left_open_for(nurse)) == []
    page = client.get(reverse("infusions:chair", args=[record.appointment_id])).content.decode()
    assert 'id="not-given-summary"' in page and "BP 182/106 at pre-assessment" in page
    assert "Record vitals" not in page and "was never closed" not in page
    printed = client.get(reverse("infusions:record_print", args=[record.appointment_id]))
    assert "the infusion was not given" in printed.content.decode()


def test_the_chair_screen_offers_it_before_the_start_and_shows_a_refusal(
    login, record, verified_order, nurse
):
    vitals_record(record=record, taken_by=nurse, **HIGH_BP)
    draw_for(verified_order, by=nurse)
    client = login(nurse)
    page = client.get(reverse("infusions:chair", args=[record.appointment_id])).content.decode()
    assert "Not giving the infusion today?" in page
    response = client.post(
        reverse("infusions:chair_not_given", args=[record.pk]),
        {"reason": WHY, "not_given": "1"}, HTTP_HX_REQUEST="true",
    )  # fmt: skip
    page = response.content.decode()
    assert "Not saved" in page and "is not accounted for" in page
    assert '<details class="not-given" open>' in page  # the form stays open with its reason
    assert 'value="BP 182/106 at pre-assessment' in page
    record.refresh_from_db()
    assert record.status == InfusionStatus.PRE_ASSESSMENT


def test_the_api_charts_it_and_refuses_what_it_should(login, record, nurse):
    client = login(nurse)
    url = f"/api/v1/infusion-records/{record.pk}/not-given/"
    blank = client.post(url, {}, content_type="application/json")
    assert blank.status_code == 400 and "reason" in blank.json()["errors"]
    done = client.post(url, {"reason": WHY}, content_type="application/json")
    assert done.status_code == 200, done.content
    data = done.json()
    assert data["status"] == "not_given" and data["statuses"][-1]["reason"] == WHY
    again = client.post(url, {"reason": WHY}, content_type="application/json")
    assert again.status_code in (400, 409) and "status" in again.json()["errors"]


def test_an_alert_before_the_start_is_acknowledged_as_held_not_as_paused(
    login, record, nurse, physician
):
    """A baseline reading out of range: there is no infusion to pause or stop. The alert is
    held (not started) or the start continues with a physician's approval; the chair screen
    offers only those, and says not to start."""
    from infusions.services import alert_acknowledge

    _, alerts = vitals_record(record=record, taken_by=nurse, **HIGH_BP)
    alert = alerts[0]
    page = login(nurse).get(reverse("infusions:chair", args=[record.appointment_id]))
    text = page.content.decode()
    assert "Do not start: reassess" in text and "Held: did not start the infusion" in text
    assert 'value="paused"' not in text and 'value="stopped"' not in text
    with pytest.raises(ValidationError) as refused:
        alert_acknowledge(alert=alert, by=nurse, action="paused")
    assert "no infusion to pause" in refused.value.message_dict["action"][0]
    ack = alert_acknowledge(alert=alert, by=nurse, action="held", note="Rechecked: 180/104")
    assert ack.get_action_display() == "Held: did not start the infusion"
    infusion_not_given(record=record, by=nurse, reason=WHY)


def test_an_alert_during_the_infusion_is_not_held(running, nurse):
    from infusions.services import alert_acknowledge

    _, alerts = vitals_record(record=running, taken_by=nurse, **HIGH_BP)
    with pytest.raises(ValidationError) as refused:
        alert_acknowledge(alert=alerts[0], by=nurse, action="held")
    assert "The infusion had started" in refused.value.message_dict["action"][0]


def test_nothing_is_drawn_for_a_visit_not_given(record, verified_order, nurse):
    infusion_not_given(record=record, by=nurse, reason=WHY)
    with pytest.raises(ValidationError) as refused:
        draw_for(verified_order, by=nurse)
    assert "This visit is cancelled" in refused.value.message_dict["order"][0]


def test_the_desk_cancel_page_says_why_it_is_refused_and_leaves_the_visit(
    login, record, verified_order, nurse, front_desk
):
    draw_for(verified_order, by=nurse)
    client = login(front_desk)
    response = client.post(
        reverse("scheduling:cancel", args=[record.appointment_id]), {"reason": "Patient left"}
    )
    assert response.status_code == 200
    assert "drawn for this visit and is not accounted for" in response.content.decode()
    record.appointment.refresh_from_db()
    assert record.appointment.status == AppointmentStatus.CHECKED_IN


def test_the_physician_reviews_a_visit_not_given_on_their_home(login, record, nurse, physician):
    """A patient sent home (blood pressure too high) waits on the site's physician home with
    why, as an early stop does, until a physician marks it reviewed."""
    from infusions.selectors.homes import physician_work_waiting
    from infusions.services import early_stop_review

    def waiting() -> int:
        items = {item.key: item.count for item in physician_work_waiting(physician)}
        return items["early_stops"]

    vitals_record(record=record, taken_by=nurse, **HIGH_BP)
    infusion_not_given(record=record, by=nurse, reason=WHY)
    assert waiting() == 1
    client = login(physician)
    home = client.get(reverse("infusions:physician_home")).content.decode()
    assert "Infusions stopped early or not given (1)" in home
    assert "Not given, visit" in home and "BP 182/106 at pre-assessment" in home
    url = reverse("infusions:early_stop_reviewed", args=[record.pk])
    assert client.post(url, {"note": "PCP letter sent; rebook after BP review"}).status_code == 302
    assert waiting() == 0
    with pytest.raises(ValidationError, match="already been reviewed"):
        early_stop_review(record=record, by=physician)


@pytest.mark.django_db(transaction=True)
def test_the_desks_cancel_does_not_wait_on_a_chart_being_changed_at_the_chair(record, front_desk):
    """A nurse's step holds the chart and then waits for the visit; the desk's cancel holds
    the visit and needs the chart: waiting would be a deadlock. The cancel is refused at
    once (409, try again) and changes nothing."""
    import threading

    from django.db import transaction

    from clinic.errors import ConflictError
    from infusions.models import InfusionRecord

    held, release = threading.Event(), threading.Event()

    def chair():
        from django.db import connection

        try:
            with transaction.atomic():
                InfusionRecord.objects.select_for_update().get(pk=record.pk)
                held.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=chair)
    thread.start()
    assert held.wait(30)
    try:
        with pytest.raises(ConflictError, match="charting this visit at the chair right now"):
            appointment_transition(
                appointment=record.appointment, to_status=AppointmentStatus.CANCELLED,
                changed_by=front_desk, reason="Patient left",
            )  # fmt: skip
    finally:
        release.set()
        thread.join(30)
    record.refresh_from_db()
    record.appointment.refresh_from_db()
    assert record.status == InfusionStatus.CHECKED_IN
    assert record.appointment.status == AppointmentStatus.CHECKED_IN
