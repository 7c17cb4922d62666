"""Issue 18, item 3: one alert per reading naming every value out of range, respiratory-rate
limits and the NEWS2 rule on the protocol version, the next reading sooner after an alert."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection

from infusions.models import AckAction, Alert
from infusions.services import alert_acknowledge, protocol_revise, vitals_due, vitals_record
from tests.helpers import GOOD, ISSUE

# The reading from the issue: 186/112, pulse 118, SpO2 89 %, RR 8 (alert, alert, -, alert,
# alert) and, with ACVPU and temperature, NEWS2 8 (SpO2 3, RR 3, pulse 2).
COMPLETE = dict(consciousness="A", temperature_c="36.8")


def parameters(alert):
    return [breach.parameter for breach in alert.breach_list]


def test_the_issue_reading_raises_one_alert_naming_every_value_out_of_range(record, nurse):
    reading, alerts = vitals_record(record=record, taken_by=nurse, **ISSUE, **COMPLETE)
    assert len(alerts) == 1 and Alert.objects.filter(reading=reading).count() == 1
    alert = alerts[0]
    assert parameters(alert) == ["systolic", "diastolic", "spo2", "respiratory_rate", "news2"]
    assert alert.message == ("Systolic 186 > 180; Diastolic 112 > 110; SpO2 89% < 92%; "
                             "RR 8 <= 8; NEWS2 8 >= 5")  # fmt: skip
    assert reading.news2_score == alert.news2_score == 8


def test_the_one_alert_is_acknowledged_once(running, nurse):
    _reading, (alert,) = vitals_record(record=running, taken_by=nurse, **ISSUE)
    alert_acknowledge(alert=alert, by=nurse, action=AckAction.PAUSED, note="Rechecking")
    with pytest.raises(ValidationError, match="already been acknowledged"):
        alert_acknowledge(alert=alert, by=nurse, action=AckAction.STOPPED)


@pytest.mark.parametrize(("rate", "alerts"), [(7, 1), (8, 1), (9, 0), (24, 0), (25, 1)])
def test_the_respiratory_rate_alerts_at_8_or_below_and_25_or_above(record, nurse, rate, alerts):
    _r, raised = vitals_record(record=record, taken_by=nurse, **GOOD,
                               respiratory_rate_per_min=rate)  # fmt: skip
    assert len(raised) == alerts
    if alerts:
        assert raised[0].breach_list[0].parameter == "respiratory_rate"


def test_a_single_news2_parameter_scoring_3_raises_an_alert(record, nurse):
    # Voice on ACVPU scores 3; every other value is fine and the total is 3.
    reading, (alert,) = vitals_record(
        record=record, taken_by=nurse, **GOOD, respiratory_rate_per_min=16,
        consciousness="V", temperature_c="36.8",
    )  # fmt: skip
    assert reading.news2_score == 3
    assert alert.message == "NEWS2 3 points for consciousness"


def test_a_news2_total_of_5_raises_an_alert_and_4_does_not(record, nurse):
    # RR 21 (2) + SpO2 95 (1) + pulse 95 (1) = 4; temperature 38.5 (1) makes 5.
    quiet = dict(GOOD, respiratory_rate_per_min=21, spo2_percent=95, pulse_bpm=95,
                 consciousness="A")  # fmt: skip
    four, raised = vitals_record(record=record, taken_by=nurse, **quiet, temperature_c="37.0")
    assert (four.news2_score, raised) == (4, [])
    five, (alert,) = vitals_record(record=record, taken_by=nurse, **quiet, temperature_c="38.5")
    assert five.news2_score == 5 and parameters(alert) == ["news2"]


def test_an_incomplete_reading_says_which_news2_parameters_are_missing(record, nurse):
    reading, _ = vitals_record(record=record, taken_by=nurse, **GOOD,
                               respiratory_rate_per_min=14)  # fmt: skip
    assert reading.news2_score is None
    assert reading.news2_missing == ["consciousness (AVPU)", "temperature"]


def test_a_revised_protocol_can_turn_the_single_3_rule_off_and_move_the_rr_limits(
    protocol, physician
):
    version = protocol_revise(
        protocol=protocol, changed_by=physician, change_note="Sedation unit limits",
        rr_alert_at_or_below_per_min=10, rr_alert_at_or_above_per_min=22,
        news2_alert_on_single_3=False,
    )  # fmt: skip
    assert (version.rr_alert_at_or_below_per_min, version.news2_alert_on_single_3) == (10, False)
    with pytest.raises(ValidationError) as refused:
        protocol_revise(protocol=protocol, changed_by=physician, change_note="typo",
                        rr_alert_at_or_below_per_min=30)  # fmt: skip
    assert "rr_alert_at_or_below_per_min" in refused.value.message_dict


def test_the_defaults_are_those_of_the_issue(protocol):
    version = protocol.current_version
    assert (version.rr_alert_at_or_below_per_min, version.rr_alert_at_or_above_per_min) == (8, 25)
    assert (version.news2_alert_on_single_3, version.news2_alert_total_at_least) == (True, 5)
    assert version.post_alert_vitals_interval_minutes == 5
    assert version.alert_escalation_minutes == 5


def test_after_an_alert_the_next_reading_is_due_in_5_minutes_until_back_in_range(running, nurse):
    start = running.started_at
    with time_machine.travel(start + datetime.timedelta(minutes=2), tick=False):
        alerting, _ = vitals_record(record=running, taken_by=nurse, **ISSUE)
    due, _overdue = vitals_due(running, alerting.taken_at)
    assert due == alerting.taken_at + datetime.timedelta(minutes=5)
    with time_machine.travel(start + datetime.timedelta(minutes=7), tick=False):
        settled, _ = vitals_record(record=running, taken_by=nurse, **GOOD)
    due, _overdue = vitals_due(running, settled.taken_at)
    usual = running.protocol_version.vitals_interval_minutes
    assert due == settled.taken_at + datetime.timedelta(minutes=usual)


def test_an_alert_from_before_issue_18_stays_readable_as_its_one_value(record, nurse):
    reading, _ = vitals_record(record=record, taken_by=nurse, **GOOD)
    legacy = Alert.objects.create(
        record=record, reading=reading, protocol_version=record.protocol_version,
        parameter="pulse", value=135, message="Pulse 135 > 130",
    )  # fmt: skip
    (breach,) = legacy.breach_list
    assert (breach.parameter, breach.value, breach.message) == ("pulse", 135, "Pulse 135 > 130")


def test_alert_breaches_cannot_be_changed_in_sql(record, nurse):
    _r, (alert,) = vitals_record(record=record, taken_by=nurse, **ISSUE)
    with pytest.raises(DatabaseError, match="Cannot update"), connection.cursor() as c:
        c.execute("UPDATE infusions_alertbreach SET value = 120 WHERE alert_id = %s", [alert.pk])


def test_the_api_returns_the_one_alert_with_every_breached_value_and_news2(login, running, nurse):
    client = login(nurse)
    created = client.post(
        "/api/v1/infusion-vitals/", {"record": running.pk, **ISSUE, **COMPLETE},
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["news2_score"], body["news2_band"], body["news2_missing"]) == (8, "high", [])
    (alert,) = body["alerts"]
    assert [b["parameter"] for b in alert["breaches"]] == [
        "systolic", "diastolic", "spo2", "respiratory_rate", "news2",
    ]  # fmt: skip
    assert {b["source"] for b in alert["breaches"]} == {"protocol", "news2"}
    assert alert["news2_score"] == 8 and alert["acknowledged"] is False


def test_the_api_says_which_news2_parameter_is_missing(login, running, nurse):
    client = login(nurse)
    created = client.post("/api/v1/infusion-vitals/", {"record": running.pk, **ISSUE},
                          content_type="application/json")  # fmt: skip
    assert created.json()["news2_missing"] == ["consciousness (AVPU)", "temperature"]


# --- Open alerts on the physician and nurse homes --------------------------------------------


def test_an_open_alert_shows_at_once_on_the_physician_home_of_the_site(
    login, running, nurse, physician
):
    vitals_record(record=running, taken_by=nurse, **ISSUE)
    html = login(physician).get("/infusions/physician/").content.decode()
    assert 'hx-get="/infusions/alerts/open/"' in html
    assert "Open alerts <span" in html and "RR 8 &lt;= 8" in html
    assert running.appointment.chair.name in html


def test_the_open_alerts_poll_counts_them_and_drops_an_acknowledged_one(
    login, running, nurse, physician
):
    _r, (alert,) = vitals_record(record=running, taken_by=nurse, **ISSUE)
    client = login(nurse)
    html = client.get("/infusions/alerts/open/").content.decode()
    assert '<span class="badge danger">1</span>' in html
    assert "Systolic 186 &gt; 180; Diastolic 112 &gt; 110" in html
    assert "/infusions/alerts/open/" in client.get("/infusions/nurse/").content.decode()
    alert_acknowledge(alert=alert, by=nurse, action=AckAction.PAUSED)
    assert "No open alerts." in client.get("/infusions/alerts/open/").content.decode()


def test_another_sites_physician_does_not_see_the_alert(login, running, nurse, other_site):
    from clinic.roles import Role
    from tests.factories import UserFactory

    elsewhere = UserFactory(username="sd-doc", role=Role.PHYSICIAN, locations=[other_site])
    vitals_record(record=running, taken_by=nurse, **ISSUE)
    assert "No open alerts." in login(elsewhere).get("/infusions/alerts/open/").content.decode()
