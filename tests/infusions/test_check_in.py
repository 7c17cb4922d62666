"""The chairside check-in in one form (escort, weight, pain, comfort; all or nothing) and the
self-reloading open-alert banner of the chair screen."""

from urllib.parse import urlparse

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from infusions.models import ComfortApplied, EscortEntry, InfusionRecord, InfusionStatus
from infusions.services import escort_arrived, infusion_check_in, infusion_start, vitals_record
from patients.models import OutcomeMeasure, WeightMeasurement
from scheduling.models import AppointmentStatus
from tests.helpers import GOOD, check_in, discharge, in_recovery, weigh
from tests.infusions.drawing import ensure_drawn


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
    assert record.statuses.get().to_status == InfusionStatus.CHECKED_IN
    escort = record.escort_entries.get()
    assert (escort.status, escort.name, escort.phone) == ("present", "Pat Lee", "+19495550123")
    assert escort.by == nurse and escort.at == record.checked_in_at
    comfort = record.comfort_applied.get()
    assert (comfort.item, comfort.by) == ("blanket", nurse)
    weight = WeightMeasurement.objects.get(patient=appointment.patient)
    assert str(weight.weight_kg) == "70.40" and weight.measured_by == nurse
    pain = OutcomeMeasure.objects.get(patient=appointment.patient, kind="pain_nrs")
    assert pain.score == 4 and pain.context == "pre_infusion"
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
    assert (appointment.escort_name, appointment.escort_phone) == ("Pat Lee", "+19495550123")
    assert appointment.escort_confirmed
    # The confirmation is in the change log, with who made it.
    change = LogEntry.objects.get_for_object(appointment).filter(
        changes__has_key="escort_confirmed"
    )
    assert change.latest("timestamp").actor == nurse


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
    assert "1 value out of range" in html and "Systolic 186 &gt; 180" in html
    assert 'hx-trigger="every 30s"' in html
    assert "Acknowledge alert" in html
    chair = client.get(reverse("infusions:chair", args=[running.appointment_id])).content.decode()
    assert 'id="chair-alerts"' in chair and "Systolic 186 &gt; 180" in chair


def test_the_banner_partial_is_empty_without_open_alerts(client, nurse, record):
    client.force_login(nurse)
    response = client.get(reverse("infusions:chair_alerts", args=[record.pk]))
    assert response.status_code == 200 and "Alert:" not in response.content.decode()


@pytest.mark.parametrize("name", ["chair_alerts", "chair_check_in"])
def test_anonymous_visitors_are_sent_to_login(client, appointment, name):
    response = client.get(reverse(f"infusions:{name}", args=[appointment.pk]))
    assert response.status_code == 302
    assert urlparse(response["Location"]).path == reverse(settings.LOGIN_URL)


# --- Escort and comfort as append-only rows ----------------------------------------------


@pytest.fixture
def escort_late(appointment, nurse):
    """Checked in with the escort on the way."""
    return infusion_check_in(
        appointment=appointment, by=nurse, escort_status="on_the_way", escort_name="Pat Lee",
        escort_phone="+19495550123",
    )  # fmt: skip


def test_an_escort_on_the_way_must_arrive_before_discharge(escort_late, verified_order, nurse):
    vitals_record(record=escort_late, taken_by=nurse, **GOOD)
    ensure_drawn(verified_order, by=nurse)
    infusion_start(record=escort_late, by=nurse)
    in_recovery(escort_late, nurse)
    with pytest.raises(ValidationError) as error:
        discharge(escort_late, nurse)
    assert "mark them arrived" in error.value.message_dict["escort_present"][0]
    arrived = escort_arrived(record=escort_late, by=nurse)
    assert (arrived.status, arrived.name, arrived.phone) == ("present", "Pat Lee", "+19495550123")
    assert [e.status for e in escort_late.escort_entries.all()] == ["on_the_way", "present"]
    with pytest.raises(ValidationError, match="already recorded as here"):
        escort_arrived(record=escort_late, by=nurse)
    assert discharge(escort_late, nurse).escort_name == "Pat Lee"


def test_an_escort_entry_needs_a_name_and_phone_and_refuses_nonsense(appointment, nurse):
    with pytest.raises(ValidationError) as error:
        infusion_check_in(appointment=appointment, by=nurse, escort_status="present",
                          escort_name=" ", escort_phone="")  # fmt: skip
    assert set(error.value.message_dict) == {"escort_name", "escort_phone"}
    assert not InfusionRecord.objects.filter(appointment=appointment).exists()


def test_comfort_applied_must_be_one_of_the_patients_preferences(appointment, nurse):
    patient = appointment.patient
    patient.comfort_music, patient.comfort_notes = True, "Window seat"
    patient.save(update_fields=["comfort_music", "comfort_notes"])
    with pytest.raises(ValidationError) as error:
        infusion_check_in(appointment=appointment, by=nurse, comfort_applied=("eye_mask",))
    assert "eye_mask" in error.value.message_dict["comfort_applied"][0]
    assert not InfusionRecord.objects.filter(appointment=appointment).exists()
    record = infusion_check_in(appointment=appointment, by=nurse,
                               comfort_applied=("music", "notes"))  # fmt: skip
    assert [(c.item, c.detail) for c in record.comfort_applied.all()] == [
        ("music", ""),
        ("notes", "Window seat"),
    ]


def test_the_check_in_form_offers_the_patients_comfort_preferences(client, nurse, appointment):
    patient = appointment.patient
    patient.comfort_dim_lights = patient.comfort_aromatherapy = True
    patient.save(update_fields=["comfort_dim_lights", "comfort_aromatherapy"])
    client.force_login(nurse)
    html = client.get(reverse("infusions:chair", args=[appointment.pk])).content.decode()
    assert 'value="dim_lights"' in html and 'value="aromatherapy"' in html
    assert 'value="eye_mask"' not in html
    response = check_in(client, appointment, comfort_applied=["dim_lights", "aromatherapy"],
                         escort_status="on_the_way")  # fmt: skip
    assert response.status_code == 302
    record = InfusionRecord.objects.get(appointment=appointment)
    assert record.escort_entries.get().status == "on_the_way"
    chair = client.get(reverse("infusions:chair", args=[appointment.pk])).content.decode()
    assert 'id="escort-status">On the way' in chair and "Escort has arrived" in chair
    assert "Dim lights, Aromatherapy" in chair
    printed = client.get(reverse("infusions:record_print", args=[appointment.pk]))
    html = printed.content.decode()
    assert "On the way" in html and "+19495550123" in html and "Dim lights, Aromatherapy" in html


def test_the_escort_arrives_from_the_chair_screen(login, escort_late, nurse):
    client = login(nurse)
    url = reverse("infusions:chair_escort_arrived", args=[escort_late.pk])
    response = client.post(url, {"escort_name": "Sam Lee", "escort_phone": "+19495550124"},
                           HTTP_HX_REQUEST="true")  # fmt: skip
    assert response.status_code == 200 and response["X-Chair-Saved"] == "1"
    assert 'id="escort-status">Here' in response.content.decode()
    assert escort_late.escort_entries.last().name == "Sam Lee"


def test_the_api_shows_the_escort_and_comfort_and_marks_arrival(login, escort_late, nurse):
    client = login(nurse)
    url = f"/api/v1/infusion-records/{escort_late.pk}/"
    body = client.get(url).json()
    assert body["escort_entries"][0]["status"] == "on_the_way"
    assert body["comfort_applied"] == []
    arrived = client.post(f"{url}escort-arrived/", {}, content_type="application/json")
    assert arrived.status_code == 200, arrived.content
    assert [e["status"] for e in arrived.json()["escort_entries"]] == ["on_the_way", "present"]
    again = client.post(f"{url}escort-arrived/", {}, content_type="application/json")
    assert again.status_code == 400 and "escort_status" in again.json()["errors"]


def test_the_api_check_in_takes_the_escort(login, appointment, nurse):
    response = login(nurse).post(
        "/api/v1/infusion-records/",
        {"appointment": appointment.pk, "escort_status": "present", "escort_name": "Pat Lee",
         "escort_phone": "+19495550123"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["escort_entries"][0]["name"] == "Pat Lee"


@pytest.mark.parametrize("table", ["infusions_escortentry", "infusions_comfortapplied"])
@pytest.mark.parametrize("statement", ["UPDATE {table} SET at = now()", "DELETE FROM {table}"])
def test_escort_and_comfort_rows_refuse_sql_update_and_delete(appointment, nurse, table,
                                                              statement):  # fmt: skip
    appointment.patient.comfort_music = True
    appointment.patient.save(update_fields=["comfort_music"])
    infusion_check_in(appointment=appointment, by=nurse, escort_status="present",
                      escort_name="Pat", escort_phone="+19495550123",
                      comfort_applied=("music",))  # fmt: skip
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement.format(table=table))
    assert EscortEntry.objects.count() == ComfortApplied.objects.count() == 1


def stored_escort_phones() -> list[str]:
    """The escort entries' phones as the database holds them (not parsed by the field)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM infusions_escortentry ORDER BY id")
        return [phone for (phone,) in cursor.fetchall()]


def test_a_typed_escort_phone_is_stored_in_e164(client, nurse, appointment):
    client.force_login(nurse)
    response = check_in(client, appointment, escort_phone="(949) 555-0123")
    assert response.status_code == 302, response.content.decode()
    assert stored_escort_phones() == ["+19495550123"]
    appointment.refresh_from_db()
    assert str(appointment.escort_phone) == "+19495550123"


def test_a_bad_escort_phone_is_shown_on_its_field_and_saves_nothing(client, nurse, appointment):
    client.force_login(nurse)
    response = check_in(client, appointment, escort_phone="555-01")
    assert response.status_code == 400 and response.context["form"].errors["escort_phone"]
    assert not InfusionRecord.objects.filter(appointment=appointment).exists()


def test_the_service_refuses_an_escort_phone_that_is_not_a_number(appointment, nurse):
    with pytest.raises(ValidationError) as error:
        infusion_check_in(appointment=appointment, by=nurse, escort_status="present",
                          escort_name="Pat", escort_phone="1")  # fmt: skip
    assert set(error.value.message_dict) == {"escort_phone"}
    assert "valid phone number" in error.value.message_dict["escort_phone"][0]


def test_the_api_refuses_a_bad_escort_phone_naming_the_field(login, appointment, nurse):
    response = login(nurse).post(
        "/api/v1/infusion-records/",
        {"appointment": appointment.pk, "escort_status": "present", "escort_name": "Pat Lee",
         "escort_phone": "555-01"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400, response.content
    assert "escort_phone" in response.json()["errors"]
    assert not InfusionRecord.objects.filter(appointment=appointment).exists()
