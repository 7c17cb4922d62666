"""The patient intake screens, through the Django test client."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from clinic.broker import redis_client
from patients import services
from patients.models import (
    Clearance,
    ClinicalIntake,
    ConsentDocument,
    ConsentSignature,
    ConsultationRequest,
    OutcomeMeasure,
    Patient,
    Phq9FollowUp,
    Screening,
    WeightMeasurement,
)
from patients.views.consultations import rate_limit_key
from tests.factories import PatientFactory

NEGATIVE_SCREEN = {question: "no" for question in Screening.QUESTIONS}


def registration(site, **overrides):
    data = {
        "legal_first_name": "Maria",
        "legal_last_name": "Lopez",
        "date_of_birth": "1980-04-02",
        "sex": "female",
        "preferred_language": "English",
        "home_location": site.pk,
        "phone": "(949) 555-0123",
        "state": "CA",
        "payment": "self_pay",
    }
    return {**data, **overrides}


def field_errors(response, field):
    return response.context["form"].errors.get(field, [])


def screen(patient, user, **answers):
    return services.screening_record(
        patient=patient, recorded_by=user, answers={**NEGATIVE_SCREEN, **answers}
    )


# --- Registration -----------------------------------------------------------------------


def test_front_desk_registers_a_patient_and_lands_on_their_page(login, front_desk, site):
    response = login(front_desk).post(reverse("patients:register"), registration(site))
    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:detail", args=[patient.pk])
    assert patient.created_by == front_desk
    assert str(patient.phone) == "+19495550123"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_of_birth", "2999-01-01", "cannot be in the future"),
        ("phone", "555-01", "valid phone number"),
        ("legal_last_name", "", "required"),
        ("insurance_member_id", "", "member id"),
    ],
)
def test_one_bad_field_saves_nothing_and_is_shown_on_that_field(
    login, front_desk, site, field, value, message
):
    data = registration(site, **{field: value})
    if field == "insurance_member_id":
        data.update(payment="insurance", insurance_payer="Aetna")
    response = login(front_desk).post(reverse("patients:register"), data)
    assert response.status_code == 200
    assert Patient.objects.count() == 0
    assert any(message in error for error in field_errors(response, field))
    assert b'class="field-error"' in response.content


def test_a_likely_duplicate_is_shown_before_a_second_record_is_created(login, front_desk, site):
    existing = PatientFactory(
        legal_first_name="Maria", legal_last_name="Lopez",
        date_of_birth=datetime.date(1980, 4, 2), home_location=site,
    )  # fmt: skip
    client = login(front_desk)
    response = client.post(reverse("patients:register"), registration(site, phone=""))
    assert response.status_code == 200
    assert Patient.objects.count() == 1
    assert response.context["duplicates"] == [existing]
    page = response.content.decode()
    assert reverse("patients:detail", args=[existing.pk]) in page
    assert "This is a different person" in page
    response = client.post(
        reverse("patients:register"), registration(site, phone="", allow_duplicate="on")
    )
    assert response.status_code == 302
    assert Patient.objects.count() == 2


def test_a_duplicate_at_another_site_is_named_but_not_linked(login, front_desk, site, other_site):
    elsewhere = PatientFactory(phone="+19495550123", home_location=other_site)
    response = login(front_desk).post(reverse("patients:register"), registration(site))
    page = response.content.decode()
    assert elsewhere.mrn in page
    assert reverse("patients:detail", args=[elsewhere.pk]) not in page
    assert Patient.objects.count() == 1


def test_front_desk_edits_a_patient_and_a_bad_edit_changes_nothing(login, front_desk, site):
    patient = PatientFactory(home_location=site, legal_last_name="Old")
    client = login(front_desk)
    data = registration(site, legal_last_name="New", date_of_birth="2999-01-01")
    response = client.post(reverse("patients:edit", args=[patient.pk]), data)
    assert field_errors(response, "date_of_birth")
    patient.refresh_from_db()
    assert patient.legal_last_name == "Old"
    data["date_of_birth"] = "1970-01-01"
    assert client.post(reverse("patients:edit", args=[patient.pk]), data).status_code == 302
    patient.refresh_from_db()
    assert patient.legal_last_name == "New"


def test_an_edit_that_makes_the_record_look_like_another_patient_asks_first(
    login, front_desk, site
):
    """The phone changed to another patient's: the same check as at registration, the
    other record named, saved once ticked "a different person"."""
    other = PatientFactory(home_location=site, phone="+17145550111")
    patient = PatientFactory(home_location=site, legal_last_name="Old")
    client = login(front_desk)
    url = reverse("patients:edit", args=[patient.pk])
    data = registration(site, legal_last_name="Old", phone="(714) 555-0111")
    page = client.post(url, data)
    assert page.status_code == 200 and other.mrn in page.content.decode()
    patient.refresh_from_db()
    assert str(patient.phone) != "+17145550111"
    data["allow_duplicate"] = "on"
    assert client.post(url, data).status_code == 302
    patient.refresh_from_db()
    assert str(patient.phone) == "+17145550111"
    # An edit that leaves the name, birth date and phone alone is never asked.
    data.pop("allow_duplicate")
    assert client.post(url, {**data, "preferred_name": "Sue"}).status_code == 302


def test_deactivating_needs_a_reason(login, front_desk, site):
    patient = PatientFactory(home_location=site)
    client = login(front_desk)
    url = reverse("patients:deactivate", args=[patient.pk])
    assert field_errors(client.post(url, {"reason": " "}), "reason")
    assert client.post(url, {"reason": "Moved out of state"}).status_code == 302
    patient.refresh_from_db()
    assert not patient.is_active
    assert patient.deactivated_by == front_desk


def test_an_escort_is_added_and_a_bad_phone_is_refused(login, front_desk, site):
    patient = PatientFactory(home_location=site)
    client = login(front_desk)
    url = reverse("patients:escort_add", args=[patient.pk])
    data = {"name": "Ana Lopez", "relationship": "sister", "phone": "12"}
    assert field_errors(client.post(url, data), "phone")
    assert not patient.escorts.exists()
    data["phone"] = "949-555-0199"
    assert client.post(url, data).status_code == 302
    page = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert "Ana Lopez" in page
    assert "No escort" not in page


# --- Search and the patient page ----------------------------------------------------------


def test_search_finds_patients_of_my_sites_only_without_javascript(
    login, front_desk, site, other_site
):
    PatientFactory(legal_last_name="Zamora", home_location=site)
    PatientFactory(legal_last_name="Zapata", home_location=other_site)
    page = login(front_desk).get(reverse("patients:list"), {"q": "za"}).content.decode()
    assert "Zamora" in page
    assert "Zapata" not in page
    assert 'hx-trigger="input changed delay:250ms, search"' in page


def test_the_search_partial_runs_a_bounded_number_of_queries(
    login, front_desk, site, django_assert_max_num_queries
):
    for n in range(30):
        PatientFactory(legal_last_name=f"Smith{n}", home_location=site)
    client = login(front_desk)
    # 5: session, user, roles, the user's site ids (clinic.access.site_ids_for) and the
    # search; 3 more when the session's once-a-minute touch falls on it (clinic.sessions).
    with django_assert_max_num_queries(8):
        response = client.get(reverse("patients:search"), {"q": "smi"}, HTTP_HX_REQUEST="true")
    assert response.content.count(b"<tr") == 26  # header + the 25 first matches
    assert b"<html" not in response.content


def test_another_sites_patient_not_booked_here_is_refused_saying_why(login, nurse, other_site):
    patient = PatientFactory(home_location=other_site)
    client = login(nurse)
    page = client.get(reverse("patients:detail", args=[patient.pk]))
    assert page.status_code == 403
    text = page.content.decode()
    assert "kept at another site" in text and "a clinic admin" in text
    assert 'class="topbar"' in text  # the app's own layout, not a bare error
    assert client.get(reverse("patients:weight_new", args=[patient.pk])).status_code == 403


def test_front_desk_sees_the_flags_but_not_the_screening_answers(login, front_desk, nurse, site):
    patient = PatientFactory(home_location=site)
    screen(patient, nurse, cardiovascular="yes")
    client = login(front_desk)
    page = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert "Needs physician clearance" in page
    assert "cardiovascular" not in page.lower()
    assert "?tab=screening" not in page
    for tab in ("screening", "intake", "weights", "measures"):
        url = reverse("patients:detail", args=[patient.pk]) + f"?tab={tab}"
        assert client.get(url).status_code == 403, tab
    assert client.get(reverse("patients:screening_new", args=[patient.pk])).status_code == 403


@pytest.mark.parametrize(
    "tab", ["overview", "intake", "screening", "consent", "measures", "weights", "history"]
)
def test_the_patient_page_runs_a_bounded_number_of_queries(
    login, nurse, physician, site, tab, django_assert_max_num_queries
):
    patient = PatientFactory(home_location=site)
    screen(patient, nurse, psychosis="unknown")
    for kg in ("70", "71", "72"):
        services.weight_record(patient=patient, value=Decimal(kg), unit="kg", measured_by=nurse)
    for _ in range(3):
        services.measure_record(
            patient=patient, kind="pain_nrs", answers={"score": 5}, recorded_by=nurse
        )
    client = login(physician)
    url = reverse("patients:detail", args=[patient.pk]) + f"?tab={tab}"
    # 21: the page's own reads (the user's site ids among them: clinic.access.site_ids_for),
    # plus the one INSERT of the access log (audit.reads) and the session write (savepoint,
    # UPDATE, release) that puts the patient first in "recently viewed" (patients.recent);
    # reopening the same record skips that write.
    with django_assert_max_num_queries(21):
        response = client.get(url)
    assert response.status_code == 200


# --- Clinical forms -----------------------------------------------------------------------


def test_a_nurse_records_an_intake_with_prior_treatments(login, nurse, site):
    patient = PatientFactory(home_location=site)
    client = login(nurse)
    url = reverse("patients:intake_new", args=[patient.pk])
    data = {
        "diagnosis_code": "M79.7",
        "diagnosis_description": "Fibromyalgia",
        "symptom_duration_months": "36",
        "comorbidities": ["depression", "ibs"],
        "treatment_gabapentinoids_result": "side_effects",
        "treatment_gabapentinoids_detail": "pregabalin 150 mg",
        "treatment_cbt_result": "partial",
    }
    response = client.post(url, data)
    assert "List the allergies" in " ".join(field_errors(response, "allergies"))
    assert not ClinicalIntake.objects.exists()
    data["no_known_drug_allergies"] = "on"
    assert client.post(url, data).status_code == 302
    intake = ClinicalIntake.objects.get()
    assert intake.comorbidities == ["depression", "ibs"]
    assert sorted(intake.treatments.values_list("kind", flat=True)) == ["cbt", "gabapentinoids"]


def test_front_desk_cannot_record_clinical_entries(login, front_desk, site):
    patient = PatientFactory(home_location=site)
    client = login(front_desk)
    for name in ("intake_new", "weight_new", "screening_new"):
        assert client.get(reverse(f"patients:{name}", args=[patient.pk])).status_code == 403
    url = reverse("patients:measure_new", args=[patient.pk, "phq9"])
    assert client.get(url).status_code == 403


def test_pregnancy_may_be_not_applicable_only_for_a_male_patient(login, nurse, site):
    client = login(nurse)
    answers = {**NEGATIVE_SCREEN, "pregnancy": "not_applicable"}
    woman = PatientFactory(home_location=site, sex="female")
    response = client.post(reverse("patients:screening_new", args=[woman.pk]), answers)
    assert field_errors(response, "pregnancy")
    man = PatientFactory(home_location=site, sex="male")
    assert b"Not applicable" in client.get(reverse("patients:screening_new", args=[man.pk])).content
    response = client.post(reverse("patients:screening_new", args=[man.pk]), answers)
    assert response.status_code == 302
    assert Screening.objects.get().patient == man


def test_only_a_physician_clears_a_positive_screen(login, client, nurse, physician, site):
    patient = PatientFactory(home_location=site)
    screening = screen(patient, nurse, cardiovascular="yes")
    url = reverse("patients:clearance", args=[patient.pk])
    decision = {"decision": "cleared_with_conditions", "note": "BP controlled; check each visit"}
    assert login(nurse).post(url, decision).status_code == 403
    client.force_login(physician)
    page = client.get(reverse("patients:detail", args=[patient.pk]) + "?tab=screening")
    assert b"Physician clearance" in page.content
    assert field_errors(client.post(url, {**decision, "note": " "}), "note")
    assert client.post(url, decision).status_code == 302
    assert Clearance.objects.get().screening == screening
    page = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert "Needs physician clearance" not in page


@pytest.mark.parametrize("value", ["0", "-5", "900"])
def test_an_impossible_weight_saves_nothing_and_says_why(login, nurse, site, value):
    patient = PatientFactory(home_location=site)
    url = reverse("patients:weight_new", args=[patient.pk])
    response = login(nurse).post(url, {"value": value, "unit": "kg"})
    assert response.status_code == 200
    assert field_errors(response, "value")
    assert not WeightMeasurement.objects.exists()


def test_a_weight_in_pounds_is_shown_in_both_units(login, nurse, site):
    patient = PatientFactory(home_location=site)
    client = login(nurse)
    url = reverse("patients:weight_new", args=[patient.pk])
    response = client.post(url, {"value": "154", "unit": "lb"}, follow=True)
    assert WeightMeasurement.objects.get().weight_kg == Decimal("69.85")
    page = response.content.decode()
    assert "69.85 kg (154.0 lb)" in page


def test_a_large_weight_change_needs_a_confirmation(login, nurse, site):
    patient = PatientFactory(home_location=site)
    services.weight_record(patient=patient, value=Decimal("70"), unit="kg", measured_by=nurse)
    client = login(nurse)
    url = reverse("patients:weight_new", args=[patient.pk])
    response = client.post(url, {"value": "85", "unit": "kg"})
    assert "confirm" in " ".join(field_errors(response, "confirm_large_change"))
    assert b'name="confirm_large_change"' in response.content
    assert WeightMeasurement.objects.count() == 1
    data = {"value": "85", "unit": "kg", "confirm_large_change": "on"}
    assert client.post(url, data).status_code == 302
    assert WeightMeasurement.objects.first().large_change_confirmed


def test_a_fiqr_item_out_of_range_cannot_be_posted(login, nurse, site):
    patient = PatientFactory(home_location=site)
    client = login(nurse)
    url = reverse("patients:measure_new", args=[patient.pk, "fiqr"])
    answers = {f"item_{n}": "5" for n in range(1, 22)}
    response = client.post(url, {**answers, "item_3": "11", "context": "baseline"})
    assert field_errors(response, "item_3")
    assert not OutcomeMeasure.objects.exists()
    assert client.post(url, {**answers, "context": "baseline"}).status_code == 302
    assert OutcomeMeasure.objects.get().score == Decimal("50.0")


def test_the_acr_and_pain_forms_record_scored_measures(login, nurse, site):
    patient = PatientFactory(home_location=site)
    client = login(nurse)
    areas = ["neck", "upper_back", "lower_back", "shoulder_girdle_left", "hip_left",
             "shoulder_girdle_right", "hip_right"]  # fmt: skip
    acr = {area: "on" for area in areas}
    acr.update(fatigue="2", waking_unrefreshed="2", cognitive_symptoms="1", headaches="on",
               symptom_duration_months="24", context="baseline")  # fmt: skip
    assert (
        client.post(reverse("patients:measure_new", args=[patient.pk, "acr"]), acr).status_code
        == 302
    )
    measure = OutcomeMeasure.objects.get(kind="acr_2016")
    assert measure.details["wpi"] == 7 and measure.details["criteria_met"]
    url = reverse("patients:measure_new", args=[patient.pk, "pain"])
    assert field_errors(client.post(url, {"score": "12", "context": "pre_infusion"}), "score")
    assert client.post(url, {"score": "7", "context": "pre_infusion"}).status_code == 302
    assert OutcomeMeasure.objects.get(kind="pain_nrs").score == 7


def test_phq9_item_9_goes_to_the_physician_who_records_the_follow_up(
    login, client, nurse, physician, site
):
    patient = PatientFactory(home_location=site)
    answers = {f"item_{n}": "1" for n in range(1, 10)}
    url = reverse("patients:measure_new", args=[patient.pk, "phq9"])
    assert login(nurse).post(url, {**answers, "context": "baseline"}).status_code == 302
    measure = OutcomeMeasure.objects.get()
    follow_up = reverse("patients:phq9_follow_up", args=[patient.pk, measure.pk])
    assert client.get(follow_up).status_code == 403
    client.force_login(physician)
    home = client.get(reverse("infusions:physician_home")).content.decode()
    assert patient.display_name in home and follow_up in home
    assert field_errors(client.post(follow_up, {"note": ""}), "note")
    assert client.post(follow_up, {"note": "Safety plan made; no intent."}).status_code == 302
    assert Phq9FollowUp.objects.get().physician == physician
    assert follow_up not in client.get(reverse("infusions:physician_home")).content.decode()


def test_the_physician_home_lists_patients_awaiting_clearance(login, nurse, physician, site):
    patient = PatientFactory(home_location=site)
    screen(patient, nurse, substance_misuse="yes")
    page = login(physician).get(reverse("infusions:physician_home")).content.decode()
    assert patient.display_name in page
    assert "Active substance misuse: yes" in page


def test_consent_is_signed_with_the_legal_name_and_witnessed(login, nurse, site):
    patient = PatientFactory(home_location=site, legal_first_name="Ana", legal_last_name="Ruiz")
    document = ConsentDocument.objects.create(
        title="Ketamine infusion consent", version="1", body="I agree.",
        effective_from=datetime.date(2025, 1, 1),
    )  # fmt: skip
    client = login(nurse)
    url = reverse("patients:consent_sign", args=[patient.pk, document.pk])
    assert b"I agree." in client.get(url).content
    assert field_errors(client.post(url, {"typed_name": "Anna Ruiz"}), "typed_name")
    assert client.post(url, {"typed_name": "ana  ruiz"}).status_code == 302
    assert ConsentSignature.objects.get().witness == nurse


def test_sms_consent_needs_a_phone_number(login, front_desk, site):
    patient = PatientFactory(home_location=site, phone="")
    url = reverse("patients:communication_consent", args=[patient.pk])
    data = {"channel": "sms", "granted": "yes", "method": "written"}
    response = login(front_desk).post(url, data)
    assert "mobile phone" in " ".join(field_errors(response, "granted"))
    assert not patient.communication_consents.exists()


# --- Consultation requests ----------------------------------------------------------------


@pytest.fixture
def visitor_ip():
    ip = "203.0.113.77"
    key = rate_limit_key(ip)
    redis_client().delete(key)
    yield ip
    redis_client().delete(key)


def contact(site, **overrides):
    return {
        "name": "Rosa Diaz", "phone": "949 555 0142", "email": "", "preferred_location": site.pk,
        "message": "Please call me.", "website": "", **overrides,
    }  # fmt: skip


def test_anyone_may_ask_for_a_consultation(client, site, visitor_ip):
    assert client.get(reverse("patients:contact")).status_code == 200
    response = client.post(reverse("patients:contact"), contact(site), REMOTE_ADDR=visitor_ip)
    assert response.status_code == 302
    assert ConsultationRequest.objects.get().name == "Rosa Diaz"
    response = client.post(
        reverse("patients:contact"), contact(site, phone="1"), REMOTE_ADDR=visitor_ip
    )
    assert field_errors(response, "phone")


def test_a_filled_honeypot_pretends_success_and_saves_nothing(client, site, visitor_ip):
    data = contact(site, website="http://spam.example")
    response = client.post(reverse("patients:contact"), data, REMOTE_ADDR=visitor_ip)
    assert response.status_code == 302
    assert not ConsultationRequest.objects.exists()
    assert b"Thank you" in client.get(response["Location"]).content


def test_more_than_five_requests_an_hour_from_one_address_are_refused(client, site, visitor_ip):
    for _ in range(5):
        client.post(reverse("patients:contact"), contact(site), REMOTE_ADDR=visitor_ip)
    response = client.post(reverse("patients:contact"), contact(site), REMOTE_ADDR=visitor_ip)
    assert response.status_code == 429
    assert b"Too many requests" in response.content
    assert ConsultationRequest.objects.count() == 5
    assert 0 < redis_client().ttl(rate_limit_key(visitor_ip)) <= 3600


def test_front_desk_registers_a_request_as_a_patient(login, front_desk, site, other_site):
    request = services.consultation_submit(
        name="Rosa Diaz", phone="+19495550142", email="", preferred_location=site, message=""
    )
    services.consultation_submit(
        name="Far Away", phone="+16195550100", email="", preferred_location=other_site, message=""
    )
    client = login(front_desk)
    queue = client.get(reverse("patients:consultations")).content.decode()
    assert "Rosa Diaz" in queue and "Far Away" not in queue
    url = reverse("patients:consultation_register", args=[request.pk])
    form = client.get(url).context["form"]
    assert form["legal_first_name"].value() == "Rosa"
    assert form["legal_last_name"].value() == "Diaz"
    data = registration(site, legal_first_name="Rosa", legal_last_name="Diaz", phone="+19495550142")
    assert client.post(url, data).status_code == 302
    request.refresh_from_db()
    assert request.stage == "registered"
    assert request.patient.legal_name == "Rosa Diaz"


def test_closing_a_request_needs_a_reason(login, front_desk, site):
    request = services.consultation_submit(
        name="Rosa Diaz", phone="+19495550142", email="", preferred_location=site, message=""
    )
    client = login(front_desk)
    url = reverse("patients:consultation_close", args=[request.pk])
    assert field_errors(client.post(url, {"reason": ""}), "reason")
    assert (
        client.post(url, {"reason": "Not a candidate: wanted a different service"}).status_code
        == 302
    )
    request.refresh_from_db()
    assert request.stage == "lost"
    assert client.get(url).status_code == 404
