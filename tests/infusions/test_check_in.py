# ruff: noqa: F401, F811
"""The chairside check-in in one form (escort, weight, pain, comfort; all or nothing) and the
self-reloading open-alert banner of the chair screen."""

from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.urls import reverse

from infusions.models import InfusionRecord, InfusionStatus
from infusions.services import vitals_record
from patients.models import OutcomeMeasure, WeightMeasurement
from scheduling.models import AppointmentStatus
from tests.infusions.test_charting import GOOD, record, running, verified_order
from tests.infusions.test_orders import appointment, order, protocol, signed_order, weigh

FULL = {
    "escort_status": "present", "escort_name": "Pat Lee", "escort_phone": "+19495550123",
    "weight_value": "70.4", "weight_unit": "kg", "pain_nrs": "4",
}  # fmt: skip


def check_in(client, appointment, **changes):
    url = reverse("infusions:chair_check_in", args=[appointment.pk])
    return client.post(url, {**FULL, **changes})


def test_the_check_in_form_is_prefilled_with_the_primary_escort(client, nurse, appointment):
    client.force_login(nurse)
    response = client.get(reverse("infusions:chair", args=[appointment.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Pat"' in html and "+19495550199" in html
    assert 'name="pain_nrs"' in html and 'name="weight_unit"' in html


def test_a_full_check_in_saves_weight_pain_escort_and_checks_in(client, nurse, appointment):
    appointment.patient.comfort_blanket = True
    appointment.patient.save(update_fields=["comfort_blanket"])
    client.force_login(nurse)
    response = check_in(client, appointment, comfort_applied="blanket")
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse("infusions:chair", args=[appointment.pk])

    record = InfusionRecord.objects.get(appointment=appointment)
    assert record.status == InfusionStatus.CHECKED_IN
    event = record.statuses.get()
    assert "Escort present" in event.reason and "blanket" in event.reason
    weight = WeightMeasurement.objects.get(patient=appointment.patient)
    assert str(weight.weight_kg) == "70.40" and weight.measured_by == nurse
    pain = OutcomeMeasure.objects.get(patient=appointment.patient, kind="pain_nrs")
    assert pain.score == 4 and pain.context == "pre_infusion"
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
    assert (appointment.escort_name, appointment.escort_phone) == ("Pat Lee", "+19495550123")
    assert appointment.escort_confirmed


def test_an_impossible_weight_re_renders_the_form_and_saves_nothing(client, nurse, appointment):
    client.force_login(nurse)
    response = check_in(client, appointment, weight_value="900")
    assert response.status_code == 400
    assert "is outside 30-300 kg and cannot be right" in response.content.decode()
    assert response.context["form"].errors["weight_value"]
    assert not InfusionRecord.objects.filter(appointment=appointment).exists()
    assert not OutcomeMeasure.objects.filter(patient=appointment.patient).exists()
    assert not WeightMeasurement.objects.filter(patient=appointment.patient).exists()
    appointment.refresh_from_db()
    assert appointment.status != AppointmentStatus.CHECKED_IN
    assert not appointment.escort_confirmed and appointment.escort_name != "Pat Lee"


def test_a_large_weight_change_asks_for_a_confirmation(client, nurse, appointment):
    weigh(appointment, nurse, "70")
    client.force_login(nurse)
    response = check_in(client, appointment, weight_value="85")
    assert response.status_code == 400
    assert response.context["form"].errors["confirm_large_change"]
    assert 'name="confirm_large_change"' in response.content.decode()
    assert WeightMeasurement.objects.filter(patient=appointment.patient).count() == 1
    response = check_in(client, appointment, weight_value="85", confirm_large_change="on")
    assert response.status_code == 302
    assert WeightMeasurement.objects.filter(patient=appointment.patient).count() == 2


def test_a_missing_pain_score_is_shown_on_its_field(client, nurse, appointment):
    client.force_login(nurse)
    response = check_in(client, appointment, pain_nrs="")
    assert response.status_code == 400 and response.context["form"].errors["pain_nrs"]
    assert not WeightMeasurement.objects.filter(patient=appointment.patient).exists()


def test_the_banner_partial_returns_the_open_alert_and_polls(client, nurse, running):
    vitals_record(record=running, taken_by=nurse, **{**GOOD, "systolic_mmhg": 186})
    client.force_login(nurse)
    response = client.get(reverse("infusions:chair_alerts", args=[running.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alert: Systolic 186 &gt; 180" in html and 'hx-trigger="every 30s"' in html
    assert "Acknowledge alert" in html
    chair = client.get(reverse("infusions:chair", args=[running.appointment_id])).content.decode()
    assert 'id="chair-alerts"' in chair and "Alert: Systolic 186" in chair


def test_the_banner_partial_is_empty_without_open_alerts(client, nurse, record):
    client.force_login(nurse)
    response = client.get(reverse("infusions:chair_alerts", args=[record.pk]))
    assert response.status_code == 200 and "Alert:" not in response.content.decode()


@pytest.mark.parametrize("name", ["chair_alerts", "chair_check_in"])
def test_anonymous_visitors_are_sent_to_login(client, appointment, name):
    response = client.get(reverse(f"infusions:{name}", args=[appointment.pk]))
    assert response.status_code == 302
    assert urlparse(response["Location"]).path == reverse(settings.LOGIN_URL)
