"""Issue 18, items 4-6: who is in the chair (the identity banner), care across sites, and
pounds typed as kilograms on a first weight."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AccessLog
from patients import services
from patients.identity import age_on, identity_for
from patients.models import WeightMeasurement
from patients.selectors import patient_for
from scheduling.models import AppointmentStatus
from tests.factories import PatientFactory
from tests.helpers import NEGATIVE, make_appointment

PATIENTS = "/api/v1/patients/"


def weigh(patient, nurse, value, unit, **kwargs):
    return services.weight_record(
        patient=patient, value=Decimal(value), unit=unit, measured_by=nurse, **kwargs
    )


# --- Item 6: a first weight outside 40-150 kg asks, in both units ---------------------------


def test_154_typed_with_kg_as_a_first_weight_asks_for_confirmation_in_both_units(nurse, site):
    patient = PatientFactory(home_location=site)
    with pytest.raises(ValidationError) as refused:
        weigh(patient, nurse, "154", "kg")
    message = refused.value.message_dict["confirm_unusual_weight"][0]
    assert "154.00 kg (= 339.5 lb)" in message and "154 lb, that is 69.85 kg" in message
    assert not WeightMeasurement.objects.exists()


def test_a_confirmed_unusual_first_weight_is_recorded(nurse, site):
    patient = PatientFactory(home_location=site)
    weight = weigh(patient, nurse, "154", "kg", confirm_unusual_weight=True)
    assert weight.weight_kg == Decimal("154.00")


def test_154_lb_as_a_first_weight_needs_no_confirmation(nurse, site):
    patient = PatientFactory(home_location=site)
    assert weigh(patient, nurse, "154", "lb").weight_kg == Decimal("69.85")


def test_a_light_first_weight_asks_too_and_a_later_one_does_not(nurse, site):
    patient = PatientFactory(home_location=site)
    with pytest.raises(ValidationError) as refused:
        weigh(patient, nurse, "38", "kg")
    assert "38.00 kg (= 83.8 lb)" in refused.value.message_dict["confirm_unusual_weight"][0]
    weigh(patient, nurse, "38", "kg", confirm_unusual_weight=True)
    assert weigh(patient, nurse, "37", "kg").weight_kg == Decimal("37.00")


def test_the_api_refuses_an_unusual_first_weight_with_both_units_until_confirmed(
    login, nurse, site
):
    patient = PatientFactory(home_location=site)
    client = login(nurse)
    url = f"{PATIENTS}{patient.pk}/weights/"
    refused = client.post(url, {"value": "154", "unit": "kg"}, content_type="application/json")
    assert refused.status_code == 400
    assert "339.5 lb" in refused.json()["errors"]["confirm_unusual_weight"][0]
    body = {"value": "154", "unit": "kg", "confirm_unusual_weight": True}
    assert client.post(url, body, content_type="application/json").status_code == 201


def test_the_api_requires_the_unit(login, nurse, site):
    patient = PatientFactory(home_location=site)
    url = f"{PATIENTS}{patient.pk}/weights/"
    response = login(nurse).post(url, {"value": "70"}, content_type="application/json")
    assert response.status_code == 400 and "unit" in response.json()["errors"]


def test_the_weight_form_has_no_unit_chosen_and_asks_for_one(login, nurse, site):
    patient = PatientFactory(home_location=site)
    client = login(nurse)
    url = reverse("patients:weight_new", args=[patient.pk])
    page = client.get(url).content.decode()
    assert "checked" not in page.split('name="unit"', 1)[1].split("</fieldset>")[0]
    assert "clinic/weight.js" in page and 'data-weight-input="unit"' in page
    missing = client.post(url, {"value": "70"}).content.decode()
    assert "Choose the unit the scale shows" in missing
    asked = client.post(url, {"value": "154", "unit": "kg"}).content.decode()
    assert "339.5 lb" in asked and 'name="confirm_unusual_weight"' in asked
    done = client.post(url, {"value": "154", "unit": "kg", "confirm_unusual_weight": "on"})
    assert done.status_code == 302


def test_the_chair_check_in_has_no_default_unit(login, nurse, site, protocol):
    appointment = make_appointment(site=site, nurse=nurse, protocol=protocol)
    client = login(nurse)
    page = client.get(reverse("infusions:chair", args=[appointment.pk])).content.decode()
    unit_radios = page.split('name="weight_unit"')[1:]
    assert unit_radios and not any("checked" in r.split(">", 1)[0] for r in unit_radios)
    url = reverse("infusions:chair_check_in", args=[appointment.pk])
    body = {"escort_status": "present", "escort_name": "Pat Lee", "escort_phone": "+19495550123",
            "weight_value": "154", "pain_nrs": "4"}  # fmt: skip
    assert "Choose the unit the scale shows" in client.post(url, body).content.decode()
    asked = client.post(url, {**body, "weight_unit": "kg"}).content.decode()
    assert "339.5 lb" in asked and 'name="confirm_unusual_weight"' in asked
    assert not WeightMeasurement.objects.exists()


# --- Item 5: care across sites ------------------------------------------------------------


@pytest.fixture
def visitor(other_site, site, nurse, protocol):
    """A patient whose home is the other site, booked for a visit at the nurse's site."""
    patient = PatientFactory(home_location=other_site)
    make_appointment(site=site, nurse=nurse, protocol=protocol, patient=patient)
    return patient


def test_a_patient_booked_at_my_site_is_open_to_me(nurse, visitor):
    assert patient_for(nurse, visitor.pk) == visitor


def test_a_cancelled_visit_opens_nothing(nurse, visitor):
    visitor.appointments.update(status=AppointmentStatus.CANCELLED)
    with pytest.raises(PermissionDenied, match="another site"):
        patient_for(nurse, visitor.pk)


def test_a_booked_patient_of_another_site_opens_and_the_read_is_logged(login, nurse, visitor):
    client = login(nurse)
    assert client.get(reverse("patients:detail", args=[visitor.pk])).status_code == 200
    assert AccessLog.objects.get().patient == visitor
    assert client.get(f"{PATIENTS}{visitor.pk}/").status_code == 200
    body = {"value": "70", "unit": "kg"}
    posted = client.post(f"{PATIENTS}{visitor.pk}/weights/", body, "application/json")
    assert posted.status_code == 201


def test_the_api_keeps_its_json_error_for_a_patient_not_booked_here(login, nurse, other_site):
    stranger = PatientFactory(home_location=other_site)
    response = login(nurse).get(f"{PATIENTS}{stranger.pk}/")
    assert response.status_code == 404 and "detail" in response.json()


def test_a_missing_page_is_in_the_app_layout_and_the_favicon_is_linked(login, nurse):
    page = login(nurse).get("/patients/999999999/")
    html = page.content.decode()
    assert page.status_code == 404 and 'class="topbar"' in html and "a clinic admin" in html
    assert 'rel="icon"' in html and "clinic/favicon.svg" in html


# --- Item 4: who is in the chair ----------------------------------------------------------


@pytest.fixture
def in_chair(site, nurse, physician, protocol):
    patient = PatientFactory(home_location=site, date_of_birth=datetime.date(1980, 6, 15))
    appointment = make_appointment(site=site, nurse=nurse, protocol=protocol, patient=patient)
    services.intake_record(
        patient=patient, recorded_by=nurse, symptom_duration_months=24, allergies="Penicillin"
    )
    screening = services.screening_record(
        patient=patient, recorded_by=nurse, answers={**NEGATIVE, "cardiovascular": "yes"}
    )
    services.clearance_record(
        screening=screening, physician=physician, decision="cleared_with_conditions",
        note="Hold if BP > 160/100",
    )  # fmt: skip
    weigh(patient, nurse, "154", "lb")
    return appointment


def test_the_banner_read_costs_three_queries_whatever_the_history(
    in_chair, nurse, django_assert_num_queries
):
    patient = in_chair.patient
    weigh(patient, nurse, "155", "lb")
    with django_assert_num_queries(3):
        who = identity_for(patient)
    assert (who.allergies, who.conditions) == ("Penicillin", "Hold if BP > 160/100")
    assert (who.weight_kg, who.weight_lb) == (Decimal("70.31"), Decimal("155.0"))


def test_age_is_counted_in_the_clinic_zone():
    # 11 pm on June 14 in Los Angeles is already June 15 in UTC: not yet a birthday.
    with time_machine.travel(datetime.datetime(2026, 6, 15, 6, 0, tzinfo=datetime.UTC)):
        from django.utils import timezone

        assert age_on(datetime.date(1980, 6, 15), timezone.localdate()) == 45
    assert age_on(datetime.date(1980, 6, 15), datetime.date(2026, 6, 15)) == 46
    assert age_on(datetime.date(2000, 2, 29), datetime.date(2026, 2, 28)) == 25


@pytest.mark.parametrize("name", ["infusions:chair", "infusions:dose_panel"])
def test_the_banner_shows_who_is_in_the_chair(login, nurse, in_chair, name):
    html = login(nurse).get(reverse(name, args=[in_chair.pk])).content.decode()
    banner = html.split("data-identity-banner", 1)[1].split("</section>", 1)[0]
    patient = in_chair.patient
    for fact in [patient.legal_name, "06/15/1980", patient.mrn, "Penicillin",
                 "69.85 kg = 154.0 lb", "Hold if BP &gt; 160/100"]:  # fmt: skip
        assert fact in banner, fact


def test_the_printable_record_shows_the_banner_and_dates_as_mm_dd_yyyy(login, nurse, in_chair):
    import re

    from infusions.services import infusion_check_in

    infusion_check_in(appointment=in_chair, by=nurse)
    html = login(nurse).get(reverse("infusions:record_print", args=[in_chair.pk])).content.decode()
    assert "data-identity-banner" in html and "06/15/1980" in html
    assert not re.search(r"\d{4}-\d{2}-\d{2}", html.split("<main", 1)[1])


@pytest.mark.parametrize("role", ["front_desk", "physician"])
def test_every_role_of_the_booking_site_opens_the_booked_patient(login, visitor, role, request):
    user = request.getfixturevalue(role)
    assert login(user).get(reverse("patients:detail", args=[visitor.pk])).status_code == 200
