"""Issue 18, item 4: a physician's clearance may carry vital-sign limits for the patient; at
the chair the tighter of those and the protocol's raises the alert, naming whose it was."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from infusions.services import vitals_record
from patients.models import Screening
from patients.services import clearance_record, screening_record
from tests.helpers import GOOD

FLAGGED = {**dict.fromkeys(Screening.QUESTIONS, "no"), "cardiovascular": "yes"}
BP_165_95 = {**GOOD, "systolic_mmhg": 165, "diastolic_mmhg": 95}


def positive_screen(patient, nurse):
    return screening_record(patient=patient, recorded_by=nurse, answers=FLAGGED)


def clear(patient, nurse, physician, **limits):
    return clearance_record(
        screening=positive_screen(patient, nurse), physician=physician,
        decision="cleared_with_conditions", note="Hold if BP > 160/100.", **limits,
    )  # fmt: skip


def test_a_clearance_limit_tighter_than_the_protocol_raises_the_alert_and_names_it(
    record, nurse, physician
):
    clearance = clear(record.appointment.patient, nurse, physician,
                      alert_systolic_above_mmhg=160, alert_diastolic_above_mmhg=100)  # fmt: skip
    assert clearance.vital_limits_text == "Alert if systolic above 160, diastolic above 100"
    _r, (alert,) = vitals_record(record=record, taken_by=nurse, **BP_165_95)
    (breach,) = alert.breach_list
    assert (breach.parameter, breach.limit, breach.source) == ("systolic", 160, "clearance")
    assert alert.message == "Systolic 165 > 160 (clearance)"


def test_without_clearance_limits_the_same_reading_raises_nothing(record, nurse):
    _r, alerts = vitals_record(record=record, taken_by=nurse, **BP_165_95)
    assert alerts == []


def test_a_clearance_limit_looser_than_the_protocol_leaves_the_protocols(record, nurse, physician):
    clear(record.appointment.patient, nurse, physician, alert_systolic_above_mmhg=200,
          alert_spo2_below_percent=95)  # fmt: skip
    _r, (alert,) = vitals_record(record=record, taken_by=nurse,
                                 **{**GOOD, "systolic_mmhg": 185, "spo2_percent": 94})  # fmt: skip
    assert [(b.parameter, b.limit, b.source) for b in alert.breach_list] == [
        ("systolic", 180, "protocol"), ("spo2", 95, "clearance"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("decision", "limits", "field"),
    [("not_cleared", {"alert_pulse_above_bpm": 100}, "decision"),
     ("cleared", {"alert_pulse_below_bpm": 90, "alert_pulse_above_bpm": 90},
      "alert_pulse_below_bpm"),
     ("cleared", {"alert_spo2_below_percent": 101}, "alert_spo2_below_percent"),
     ("cleared", {"alert_systolic_above_mmhg": 100, "alert_diastolic_above_mmhg": 100},
      "alert_diastolic_above_mmhg")],
)  # fmt: skip
def test_senseless_clearance_limits_are_refused_on_the_field(
    appointment, nurse, physician, decision, limits, field
):
    screening = positive_screen(appointment.patient, nurse)
    with pytest.raises(ValidationError) as refused:
        clearance_record(screening=screening, physician=physician, decision=decision,
                         note="x", **limits)  # fmt: skip
    assert field in refused.value.message_dict
    assert not hasattr(Screening.objects.get(pk=screening.pk), "clearance")


def test_the_api_takes_clearance_limits_and_the_vitals_alert_names_the_clearance(
    login, running, nurse, physician
):
    patient = running.appointment.patient
    screening = positive_screen(patient, nurse)
    url = f"/api/v1/patients/{patient.pk}/screenings/{screening.pk}/clearance/"
    cleared = login(physician).post(url, {
        "decision": "cleared_with_conditions", "note": "Hold if BP > 160/100.",
        "alert_systolic_above_mmhg": 160, "alert_diastolic_above_mmhg": 100,
    }, content_type="application/json")  # fmt: skip
    assert cleared.status_code == 201, cleared.content
    assert cleared.json()["vital_limits_text"] == (
        "Alert if systolic above 160, diastolic above 100"
    )
    created = login(nurse).post("/api/v1/infusion-vitals/", {"record": running.pk, **BP_165_95},
                                content_type="application/json")  # fmt: skip
    (alert,) = created.json()["alerts"]
    assert alert["breaches"] == [{"parameter": "systolic", "value": 165, "limit": 160,
                                  "source": "clearance",
                                  "message": "Systolic 165 > 160 (clearance)"}]  # fmt: skip


def test_the_clearance_form_takes_limits_and_the_screening_tab_says_them(
    login, appointment, nurse, physician
):
    patient = appointment.patient
    positive_screen(patient, nurse)
    client = login(physician)
    response = client.post(reverse("patients:clearance", args=[patient.pk]), {
        "decision": "cleared_with_conditions", "note": "Hold if pulse > 110.",
        "alert_pulse_above_bpm": "110",
    })  # fmt: skip
    assert response.status_code == 302
    tab = client.get(reverse("patients:detail", args=[patient.pk]) + "?tab=screening")
    assert "Alert if pulse above 110" in tab.content.decode()
