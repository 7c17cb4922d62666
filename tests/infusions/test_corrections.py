"""Corrections of alert acknowledgements and discharges: a new entry that points at the one it
corrects, with a reason; both stay on the chart (the corrected one struck through) through the
service, the chair screen, the printed record, the API and the read-only admin; the database
refuses UPDATE and DELETE. And the chair screen's and printed record's query counts."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from infusions.models import AckAction, AlertAcknowledgement, Discharge, InfusionStatus
from infusions.services import (
    acknowledgement_correct,
    alert_acknowledge,
    correction_record,
    discharge_correct,
    side_effect_record,
    vitals_record,
)
from scheduling.models import AppointmentStatus
from tests.helpers import ALDRETE_9, GOOD, PADSS_9, discharge, in_recovery

HIGH = {**GOOD, "systolic_mmhg": 186}


@pytest.fixture
def acked(running, nurse):
    _reading, (alert,) = vitals_record(record=running, taken_by=nurse, **HIGH)
    return alert_acknowledge(alert=alert, by=nurse, action=AckAction.PAUSED, note="Paused")


@pytest.fixture
def discharged(running, nurse):
    in_recovery(running, nurse)
    return discharge(running, nurse, escort_name="Pat Le")


def correct_discharge(entry, nurse, **changes):
    fields = dict(
        reason="Escort's name misspelt", score_type="aldrete", item_scores=ALDRETE_9,
        escort_name="Pat Lee", pain_nrs=3, instructions_given=True,
    )  # fmt: skip
    return discharge_correct(discharge=entry, by=nurse, **{**fields, **changes})


# --- Alert acknowledgements -------------------------------------------------------------------


def test_an_acknowledgement_is_corrected_by_a_new_one_and_stays(acked, nurse, physician):
    fixed = acknowledgement_correct(
        acknowledgement=acked, by=nurse, reason="Dr approved continuing, not a pause",
        action=AckAction.CONTINUED, physician=physician,
    )  # fmt: skip
    assert fixed.corrects == acked and fixed.alert == acked.alert
    assert AlertAcknowledgement.objects.filter(pk=acked.pk).exists()
    alert = acked.alert
    assert alert.acknowledgement == fixed
    assert [a.corrected for a in alert.acknowledgement_history] == [True, False]
    with pytest.raises(ValidationError, match="already been corrected"):
        acknowledgement_correct(acknowledgement=acked, by=nurse, reason="Again",
                                action=AckAction.STOPPED)  # fmt: skip
    acked.record = acked.alert.record
    acked.alert.record.refresh_from_db()
    assert acked.alert.record.status == InfusionStatus.PAUSED  # the chart, not the infusion


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"reason": " "}, "reason"), ({"action": "shrugged"}, "action"),
     ({"action": AckAction.CONTINUED}, "physician")],
)  # fmt: skip
def test_an_acknowledgement_correction_needs_a_reason_and_a_valid_action(
    acked, nurse, changes, field
):
    fields = {"reason": "Wrong button", "action": AckAction.STOPPED, **changes}
    with pytest.raises(ValidationError) as error:
        acknowledgement_correct(acknowledgement=acked, by=nurse, **fields)
    assert field in error.value.message_dict
    assert AlertAcknowledgement.objects.count() == 1


def test_a_second_first_acknowledgement_is_refused_by_the_database(acked, nurse):
    with pytest.raises(IntegrityError), transaction.atomic():
        AlertAcknowledgement.objects.create(alert=acked.alert, action=AckAction.STOPPED, by=nurse)


def test_the_chair_screen_corrects_an_acknowledgement_and_strikes_the_old_one(login, acked, nurse):
    client = login(nurse)
    record = acked.alert.record
    url = reverse("infusions:chair_correct_acknowledgement", args=[record.pk])
    bad = client.post(url, {"acknowledgement": acked.pk, "action": "stopped"},
                      HTTP_HX_REQUEST="true")  # fmt: skip
    assert "X-Chair-Saved" not in bad and "Say what was wrong" in bad.content.decode()
    response = client.post(
        url, {"acknowledgement": acked.pk, "action": "stopped", "reason": "Wrong button"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert response.status_code == 200 and response["X-Chair-Saved"] == "1"
    html = response.content.decode()
    assert '<del class="corrected">Paused the infusion</del>' in html
    assert "Stopped the infusion" in html and "corrected: Wrong button" in html
    printed = client.get(reverse("infusions:record_print", args=[record.appointment_id]))
    html = printed.content.decode()
    assert "<del>Acknowledged" in html and "(correction: Wrong button)" in html


def test_the_api_corrects_an_acknowledgement(login, acked, nurse, front_desk):
    url = f"/api/v1/infusion-alert-acknowledgements/{acked.pk}/correct/"
    body = {"reason": "Wrong button", "action": "stopped"}
    assert login(front_desk).post(url, body, content_type="application/json").status_code == 403
    client = login(nurse)
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["corrects"] == acked.pk
    listed = client.get("/api/v1/infusion-alert-acknowledgements/").json()["results"]
    assert {a["id"]: a["corrected"] for a in listed} == {
        acked.pk: True,
        response.json()["id"]: False,
    }
    again = client.post(url, body, content_type="application/json")
    assert again.status_code == 400
    assert (
        client.patch(f"/api/v1/infusion-alert-acknowledgements/{acked.pk}/", {}).status_code == 405
    )


# --- Discharges -------------------------------------------------------------------------------


def test_a_discharge_is_corrected_by_a_new_entry_keeping_the_time_and_pain(discharged, nurse):
    fixed = correct_discharge(discharged, nurse)
    assert fixed.corrects == discharged and fixed.escort_name == "Pat Lee"
    assert fixed.discharged_at == discharged.discharged_at
    assert fixed.pain_measure_id == discharged.pain_measure_id and fixed.by == nurse
    record = discharged.record
    record.refresh_from_db()
    assert record.status == InfusionStatus.DISCHARGED
    assert record.appointment.status == AppointmentStatus.COMPLETED
    assert Discharge.objects.filter(record=record).count() == 2
    with pytest.raises(ValidationError, match="already been corrected"):
        correct_discharge(discharged, nurse)
    with pytest.raises(ValidationError) as error:
        correct_discharge(fixed, nurse, reason="PADSS", score_type="padss", item_scores=PADSS_9)
    assert "Modified Aldrete" in error.value.message_dict["score_type"][0]
    again = correct_discharge(fixed, nurse, reason="All items were 2",
                              item_scores=dict.fromkeys(ALDRETE_9, 2))  # fmt: skip
    assert again.corrects == fixed and again.total == 10


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"reason": ""}, "reason"), ({"pain_nrs": 11}, "pain_nrs"),
     ({"item_scores": {**ALDRETE_9, "activity": 1}}, "item_scores"),
     ({"escort_present": False}, "escort_name"), ({"instructions_given": False},
                                                   "instructions_given")],
)  # fmt: skip
def test_a_discharge_correction_keeps_the_discharge_rules(discharged, nurse, changes, field):
    with pytest.raises(ValidationError) as error:
        correct_discharge(discharged, nurse, **changes)
    assert field in error.value.message_dict
    assert Discharge.objects.count() == 1


def test_a_discharge_correction_corrects_the_post_infusion_pain_measure(discharged, nurse):
    from patients.models import OutcomeMeasure
    from patients.selectors import measure_series

    patient = discharged.record.appointment.patient
    before = [score for _at, score, _m in measure_series(patient, "pain_nrs")]
    assert before[-1] == 3
    fixed = correct_discharge(discharged, nurse, pain_nrs=5, reason="Pain was 5, not 3")
    assert fixed.pain_nrs == 5 and fixed.pain_measure_id != discharged.pain_measure_id
    measure = fixed.pain_measure
    assert measure.corrects_id == discharged.pain_measure_id and measure.score == 5
    assert measure.context == "post_infusion" and "Pain was 5, not 3" in measure.correction_reason
    # The course's pain series has the same number of entries: 5 in the place of 3.
    after = [score for _at, score, _m in measure_series(patient, "pain_nrs")]
    assert after == [*before[:-1], 5]
    assert (
        OutcomeMeasure.objects.filter(kind="pain_nrs", patient=patient).count() == len(before) + 1
    )
    # A second correction back to 3 corrects the correction; unchanged pain adds nothing.
    again = correct_discharge(fixed, nurse, pain_nrs=3, reason="Misread the note")
    assert again.pain_measure.corrects_id == measure.pk
    same = correct_discharge(again, nurse, reason="Escort's surname")
    assert same.pain_measure_id == again.pain_measure_id
    assert [s for _at, s, _m in measure_series(patient, "pain_nrs")] == before


def test_a_second_first_discharge_is_refused_by_the_database(discharged):
    fields = {f.attname: getattr(discharged, f.attname) for f in Discharge._meta.concrete_fields}
    fields.pop("id")
    with pytest.raises(IntegrityError), transaction.atomic():
        Discharge.objects.create(**fields)


def test_the_chair_screen_corrects_the_discharge(login, discharged, nurse):
    client = login(nurse)
    record = discharged.record
    page = client.get(reverse("infusions:chair", args=[record.appointment_id])).content.decode()
    assert "Correct the discharge entry" in page and 'value="Pat Le"' in page
    url = reverse("infusions:chair_correct_discharge", args=[record.pk])
    form = {"discharge": discharged.pk, "score_type": "aldrete", "pain_nrs": "3",
            "escort_name": "Pat Lee", "escort_present": "on", "instructions_given": "on",
            "reason": "Escort's name misspelt",
            **{f"aldrete__{k}": str(v) for k, v in ALDRETE_9.items()}}  # fmt: skip
    response = client.post(url, form, HTTP_HX_REQUEST="true")
    assert response["X-Chair-Saved"] == "1", response.content.decode()
    assert (
        "with Pat Lee" in response.content.decode() and "(corrected)" in response.content.decode()
    )
    printed = client.get(reverse("infusions:record_print", args=[record.appointment_id]))
    html = printed.content.decode()
    assert "<del>Pat Le (present)</del>" in html and "Escort&#x27;s name misspelt" in html


def test_the_api_corrects_a_discharge(login, discharged, nurse):
    client = login(nurse)
    url = f"/api/v1/infusion-discharges/{discharged.pk}/correct/"
    body = {"reason": "Misspelt", "score_type": "aldrete", "item_scores": ALDRETE_9,
            "escort_name": "Pat Lee", "escort_present": True, "pain_nrs": 3,
            "instructions_given": True}  # fmt: skip
    bad = client.post(url, {**body, "pain_nrs": 11}, content_type="application/json")
    assert bad.status_code == 400 and "pain_nrs" in bad.json()["errors"]
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["corrects"] == discharged.pk
    listed = client.get(f"/api/v1/infusion-discharges/?record={discharged.record_id}").json()
    assert [d["corrected"] for d in listed["results"]] == [True, False]


def test_the_admin_lists_corrected_entries_read_only(admin_client, admin_user, discharged, nurse):
    fixed = correct_discharge(discharged, nurse)
    admin_client.force_login(admin_user)  # the clock moved past the idle logout
    assert admin_client.get("/admin/infusions/discharge/").status_code == 200
    assert admin_client.get(f"/admin/infusions/discharge/{fixed.pk}/change/").status_code == 200
    assert admin_client.get("/admin/infusions/discharge/add/").status_code == 403
    for model in ("escortentry", "comfortapplied", "alertacknowledgement"):
        assert admin_client.get(f"/admin/infusions/{model}/").status_code == 200
        assert admin_client.get(f"/admin/infusions/{model}/add/").status_code == 403


@pytest.mark.parametrize("table", ["infusions_discharge", "infusions_alertacknowledgement"])
@pytest.mark.parametrize(
    "statement",
    ["UPDATE {table} SET correction_reason = 'edited'", "DELETE FROM {table}"],
)  # fmt: skip
def test_corrections_and_what_they_correct_refuse_sql_update_and_delete(
    discharged, acked_after_discharge, nurse, table, statement
):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement.format(table=table))
    assert Discharge.objects.count() == AlertAcknowledgement.objects.count() == 2


@pytest.fixture
def acked_after_discharge(discharged, nurse):
    """The discharge corrected, and an acknowledgement corrected (in the same record)."""
    correct_discharge(discharged, nurse)
    record = discharged.record
    alert = record.alerts.create(
        reading=record.vitals.exclude(phase="baseline").first(),
        protocol_version=record.protocol_version,
        parameter="systolic", value=186, message="Systolic 186 > 180",
    )  # fmt: skip
    ack = alert_acknowledge(alert=alert, by=nurse, action=AckAction.PAUSED)
    return acknowledgement_correct(acknowledgement=ack, by=nurse, reason="Wrong button",
                                   action=AckAction.STOPPED)  # fmt: skip


# --- Query counts -----------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_chair_screen_and_printed_record_cost_the_same_queries_however_long_the_chart(
    login, running, nurse, physician, django_assert_max_num_queries
):
    client = login(nurse)
    chair = reverse("infusions:chair", args=[running.appointment_id])
    printed = reverse("infusions:record_print", args=[running.appointment_id])

    def chart_more():
        wrong, (alert,) = vitals_record(record=running, taken_by=nurse, **HIGH)
        correction_record(record=running, by=nurse, vitals=wrong, reason="Cuff")
        ack = alert_acknowledge(alert=alert, by=nurse, action=AckAction.CONTINUED,
                                physician=physician)  # fmt: skip
        acknowledgement_correct(acknowledgement=ack, by=nurse, reason="Wrong",
                                action=AckAction.CONTINUED, physician=physician)  # fmt: skip
        effect = side_effect_record(record=running, by=nurse, side_effect="nausea",
                                    severity="mild")  # fmt: skip
        correction_record(record=running, by=nurse, event=effect, reason="Other patient")

    chart_more()  # one of each, so every prefetch runs in both counts
    client.get(chair)  # warm the session
    few = {url: _queries(client, url) for url in (chair, printed)}
    for _ in range(4):
        chart_more()
    for url, count in few.items():
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200


def test_a_finished_visits_chair_screen_asks_no_start_checks(login, discharged, nurse, monkeypatch):
    """The start checks (intake, consent, the review gate, today's weight, the draw) are
    asked only before the start, where the panel shows them, and the status history is read
    once: a finished visit's screen was 41 queries at the busiest site, 25 now."""
    from infusions.views import chair as chair_views

    def not_asked(*args, **kwargs):
        raise AssertionError("start checks asked after the start")

    monkeypatch.setattr(chair_views, "infusion_may_start", not_asked)
    monkeypatch.setattr(chair_views, "draw_problems", not_asked)
    monkeypatch.setattr(chair_views, "infusion_gate_reasons", not_asked)
    client = login(nurse)
    url = reverse("infusions:chair", args=[discharged.record.appointment_id])
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert page.status_code == 200 and "Do not start yet" not in page.content.decode()
    statuses = [q for q in queries if 'FROM "infusions_infusionstatusevent"' in q["sql"]]
    assert len(statuses) == 1
    assert len(queries) <= 27


def test_the_visits_order_is_read_with_the_visit_in_hand_not_joined_again(discharged, nurse):
    """``active_order`` (the chair screen, the dose panel, the printed record) reads the
    order through the visit it is given: no join to the visit, its patient, site or chair
    (a dozen-table join took Postgres 2.4 ms to plan at full size), and the order's visit is
    that very instance, with what was read with it."""
    from infusions.selectors.orders import active_order
    from scheduling.models import Appointment

    visit = Appointment.objects.select_related("patient", "location", "chair").get(
        pk=discharged.record.appointment_id
    )
    with CaptureQueriesContext(connection) as queries:
        order = active_order(visit)
        assert order.appointment is visit
        assert order.appointment.patient.pk == visit.patient_id
        assert order.protocol_version.protocol.name
    orders = [q["sql"] for q in queries if q["sql"].startswith('SELECT "infusions_doseorder"."id"')]
    assert len(orders) == 1
    for table in ("scheduling_appointment", "patients_patient", "scheduling_chair"):
        assert f'JOIN "{table}"' not in orders[0]


def test_a_pain_score_corrected_on_the_measures_tab_shows_on_the_printed_discharge(
    discharged, nurse, client
):
    from patients.services import measure_correct

    measure_correct(
        measure=discharged.pain_measure, answers={"score": 2}, corrected_by=nurse,
        reason="Patient said 2",
    )  # fmt: skip
    client.force_login(nurse)
    url = reverse("infusions:record_print", args=[discharged.record.appointment_id])
    page = client.get(url).content.decode()
    assert "<del>3/10</del> 2/10" in page and "Patient said 2" in page
