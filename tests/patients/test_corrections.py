"""Corrections of weights and outcome measures: a new row pointing at the mistaken one, with
a reason; the mistaken one stays (the database refuses UPDATE and DELETE) and no longer
counts (current weight, dose orders, series, trends, flags). Service, screens, API, and the
dose safety: an order calculated from a weight that was later corrected cannot start."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse

from infusions.selectors.orders import usable_weights
from infusions.services import dose_order_create, infusion_may_start
from patients import selectors, services
from patients.models import OutcomeMeasure, WeightMeasurement
from tests.factories import PatientFactory


@pytest.fixture
def patient(site):
    return PatientFactory(home_location=site)


def kg(patient, nurse, value, **kwargs):
    return services.weight_record(
        patient=patient, value=Decimal(value), unit="kg", measured_by=nurse, **kwargs
    )


def pain(patient, nurse, score, context="baseline"):
    return services.measure_record(
        patient=patient, kind="pain_nrs", answers={"score": score}, recorded_by=nurse,
        context=context,
    )  # fmt: skip


# --- Weights: the service ---------------------------------------------------------------------


def test_a_mistyped_weight_is_corrected_by_a_new_row_and_stops_counting(patient, nurse, physician):
    kg(patient, nurse, "70")
    wrong = kg(patient, nurse, "77", confirm_large_change=True)  # meant 72
    assert selectors.current_weight(patient) == wrong
    fixed = services.weight_correct(
        weight=wrong, value=Decimal("72"), unit="kg", reason="Typed 77 for 72",
        corrected_by=physician,
    )  # fmt: skip
    assert fixed.corrects == wrong and fixed.measured_at == wrong.measured_at
    assert fixed.weight_kg == Decimal("72.00") and fixed.measured_by == physician
    assert fixed.change_from_previous_percent == Decimal("2.9")  # from 70, not from 77
    assert fixed.recorded_at is not None
    assert WeightMeasurement.objects.filter(pk=wrong.pk).exists()
    assert selectors.current_weight(patient) == fixed
    assert list(selectors.standing_weights(patient).order_by("pk")) != []
    assert wrong not in selectors.standing_weights(patient)
    with pytest.raises(ValidationError, match="already been corrected"):
        services.weight_correct(weight=wrong, value=Decimal("73"), unit="kg", reason="x",
                                corrected_by=nurse)  # fmt: skip
    # A correction can itself be corrected.
    again = services.weight_correct(weight=fixed, value=Decimal("71"), unit="kg",
                                    reason="Re-read the scale log", corrected_by=nurse)  # fmt: skip
    assert selectors.current_weight(patient) == again


@pytest.mark.parametrize(
    ("value", "unit", "reason", "field"),
    [("72", "kg", "", "reason"), ("900", "kg", "Typo", "value"), ("0", "kg", "Typo", "value"),
     ("72", "st", "Typo", "unit"), ("77", "kg", "Same", "value"),
     ("100", "kg", "Typo", "confirm_large_change")],
)  # fmt: skip
def test_bad_corrections_name_the_field_and_save_nothing(
    patient, nurse, value, unit, reason, field
):
    kg(patient, nurse, "70")
    wrong = kg(patient, nurse, "77", confirm_large_change=True)
    with pytest.raises(ValidationError) as error:
        services.weight_correct(weight=wrong, value=Decimal(value), unit=unit, reason=reason,
                                corrected_by=nurse)  # fmt: skip
    assert field in error.value.message_dict
    assert WeightMeasurement.objects.count() == 2


@pytest.mark.parametrize("who", ["front_desk", "clinic_admin"])
def test_only_those_who_record_weights_correct_them(patient, nurse, who, request):
    wrong = kg(patient, nurse, "77")
    with pytest.raises(PermissionDenied):
        services.weight_correct(weight=wrong, value=Decimal("72"), unit="kg", reason="Typo",
                                corrected_by=request.getfixturevalue(who))  # fmt: skip
    assert WeightMeasurement.objects.count() == 1


def test_the_database_guards_weight_corrections(patient, site, nurse):
    wrong = kg(patient, nurse, "77")
    base = dict(weight_kg=Decimal("72"), entered_value=Decimal("72"), entered_unit="kg",
                measured_at=wrong.measured_at, measured_by=nurse)  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():  # a correction needs a reason
        WeightMeasurement.objects.create(patient=patient, corrects=wrong, **base)
    other = PatientFactory(home_location=site)
    with pytest.raises(DatabaseError, match="same patient"), transaction.atomic():
        WeightMeasurement.objects.create(
            patient=other, corrects=wrong, correction_reason="x", **base
        )
    WeightMeasurement.objects.create(patient=patient, corrects=wrong, correction_reason="x", **base)
    with pytest.raises(IntegrityError), transaction.atomic():  # at most one correction
        WeightMeasurement.objects.create(patient=patient, corrects=wrong, correction_reason="y",
                                         **base)  # fmt: skip
    # The new columns did not loosen the append-only triggers.
    for sql in ("UPDATE patients_weightmeasurement SET correction_reason = 'z'",
                "DELETE FROM patients_weightmeasurement"):  # fmt: skip
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)


# --- Measures: the service, series and trends ---------------------------------------------------


def test_a_mistaken_pain_score_is_corrected_in_place_in_the_series(patient, nurse, physician):
    first = pain(patient, nurse, 8)
    wrong = pain(patient, nurse, 9, context="post_infusion")  # meant 3
    pain(patient, nurse, 4)
    fixed = services.measure_correct(
        measure=wrong, answers={"score": 3}, reason="Heard 9 for 3", corrected_by=physician
    )
    assert fixed.corrects == wrong and fixed.kind == wrong.kind
    assert fixed.context == "post_infusion" and fixed.score == 3
    assert fixed.taken_at == wrong.recorded_at and fixed.given_at == wrong.recorded_at
    series = selectors.measure_series(patient, "pain_nrs")
    assert [score for _when, score, _m in series] == [8, 3, 4]  # the correction in its place
    assert [
        m.pk for _w, _s, m in selectors.measure_series(patient, "pain_nrs", "post_infusion")
    ] == [fixed.pk]
    (trend,) = selectors.measure_trends(patient)
    assert trend.baseline == first and trend.latest.score == 4 and trend.count == 3
    assert trend.change == -4
    # Correcting the latest moves the trend.
    latest = trend.latest
    services.measure_correct(measure=latest, answers={"score": 6}, reason="Typo",
                             corrected_by=nurse)  # fmt: skip
    (trend,) = selectors.measure_trends(patient)
    assert trend.latest.score == 6 and trend.count == 3


@pytest.mark.parametrize(
    ("answers", "reason", "field"),
    [({"score": 11}, "Typo", "score"), ({"score": 3}, "", "reason")],
)
def test_bad_measure_corrections_save_nothing(patient, nurse, answers, reason, field):
    wrong = pain(patient, nurse, 9)
    with pytest.raises(ValidationError) as error:
        services.measure_correct(measure=wrong, answers=answers, reason=reason,
                                 corrected_by=nurse)  # fmt: skip
    assert field in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.measure_correct(measure=wrong, answers={"score": 3}, reason="Typo",
                                 corrected_by=PatientFactory and _desk(wrong))  # fmt: skip
    assert OutcomeMeasure.objects.count() == 1


def _desk(measure):
    from clinic.roles import Role
    from tests.factories import UserFactory

    return UserFactory(role=Role.FRONT_DESK, locations=[measure.patient.home_location])


def test_a_phq9_item9_flag_goes_with_the_corrected_entry(patient, nurse, physician):
    answers = {f"item_{n}": 1 for n in range(1, 10)}
    wrong = services.measure_record(patient=patient, kind="phq9", answers=answers,
                                    recorded_by=nurse)  # fmt: skip
    assert selectors.patient_flags(patient).phq9_item9_open
    services.measure_correct(measure=wrong, answers={**answers, "item_9": 0},
                             reason="Item 9 in the wrong row", corrected_by=nurse)  # fmt: skip
    assert not selectors.patient_flags(patient).phq9_item9_open
    with pytest.raises(ValidationError, match="corrected"):
        services.phq9_follow_up_record(measure=wrong, physician=physician, note="Seen")


def test_the_database_guards_measure_corrections(patient, site, nurse):
    wrong = pain(patient, nurse, 9)
    base = dict(answers={"score": 3}, score=3, recorded_by=nurse, correction_reason="x")
    with pytest.raises(DatabaseError, match="same patient"), transaction.atomic():
        OutcomeMeasure.objects.create(patient=patient, kind="phq9", corrects=wrong, **base)
    with pytest.raises(IntegrityError), transaction.atomic():
        OutcomeMeasure.objects.create(
            patient=patient, kind="pain_nrs", corrects=wrong, **{**base, "correction_reason": ""}
        )
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE patients_outcomemeasure SET correction_reason = 'z'")


# --- Dose safety ----------------------------------------------------------------------------------


def test_an_order_from_a_weight_corrected_later_cannot_start(
    signed_order, appointment, nurse, login
):
    assert signed_order.weight_kg == Decimal("69.85")
    services.weight_correct(weight=signed_order.weight, value=Decimal("145"), unit="lb",
                            reason="Scale read 145 lb", corrected_by=nurse)  # fmt: skip
    signed_order.refresh_from_db()
    assert signed_order.weight_kg == Decimal("69.85")  # the order keeps its weight
    reasons = infusion_may_start(signed_order)
    assert any("has since been corrected to 65.77 kg" in r for r in reasons), reasons
    page = login(nurse).get(reverse("infusions:dose_panel", args=[appointment.pk]))
    html = page.content.decode()
    assert "Do not start the infusion" in html and "has since been corrected" in html
    # The corrected weight is no longer offered, and a new order from it is refused.
    version = signed_order.protocol_version
    assert signed_order.weight not in usable_weights(appointment, version)
    with pytest.raises(ValidationError) as error:
        dose_order_create(appointment=appointment, weight=signed_order.weight,
                          vial_mg_per_ml=Decimal("50"), created_by=nurse)  # fmt: skip
    assert "corrected" in str(error.value.message_dict["weight"])


# --- Screens ----------------------------------------------------------------------------------


def test_the_weights_tab_strikes_a_corrected_weight_through(
    login, patient, nurse, django_assert_max_num_queries
):
    kg(patient, nurse, "70")
    wrong = kg(patient, nurse, "77", confirm_large_change=True)
    client = login(nurse)
    page = client.get(reverse("patients:weight_correct", args=[patient.pk, wrong.pk]))
    assert page.status_code == 200 and 'value="77.0"' in page.content.decode()
    url = reverse("patients:weight_correct", args=[patient.pk, wrong.pk])
    bad = client.post(url, {"value": "72", "unit": "kg", "reason": ""})
    assert "Say what was wrong with the weight." in bad.content.decode()
    assert WeightMeasurement.objects.count() == 2
    done = client.post(url, {"value": "72", "unit": "kg", "reason": "Typed 77 for 72"})
    assert done.status_code == 302
    tab = reverse("patients:detail", args=[patient.pk]) + "?tab=weights"
    for _ in range(3):  # more weights and corrections: the same queries
        other = kg(patient, nurse, "72")
        services.weight_correct(weight=other, value=Decimal("72.5"), unit="kg", reason="Typo",
                                corrected_by=nurse)  # fmt: skip
    with django_assert_max_num_queries(17):
        html = client.get(tab).content.decode()
    assert "<del>77.00</del>" in html and "Typed 77 for 72" in html
    assert "Current weight: <strong>72.50 kg</strong>" in html
    assert html.count(">Correct</a>") == 5  # every standing weight, none of the struck ones
    assert "already been corrected" in client.get(url, follow=True).content.decode()


def test_the_measures_tab_strikes_a_corrected_measure_through(
    login, patient, nurse, clinic_admin, django_assert_max_num_queries
):
    pain(patient, nurse, 8)
    wrong = pain(patient, nurse, 9)
    client = login(nurse)
    url = reverse("patients:measure_correct", args=[patient.pk, wrong.pk])
    page = client.get(url).content.decode()
    assert "Correct Pain score" in page and "Recorded" in page
    bad = client.post(url, {"score": "3", "reason": ""})
    assert "Say what was wrong with the entry." in bad.content.decode()
    assert OutcomeMeasure.objects.count() == 2
    assert client.post(url, {"score": "3", "reason": "Heard 9 for 3"}).status_code == 302
    for score in (5, 6, 7):
        services.measure_correct(measure=pain(patient, nurse, score), answers={"score": 1},
                                 reason="Typo", corrected_by=nurse)  # fmt: skip
    tab = reverse("patients:detail", args=[patient.pk]) + "?tab=measures"
    with django_assert_max_num_queries(17):
        html = client.get(tab).content.decode()
    assert "<del>9.0</del>" in html and "Heard 9 for 3" in html
    assert 'id="measure-trends"' in html
    # A clinic admin reads the tab but gets no Correct action, and may not correct.
    admin = login(clinic_admin)
    assert ">Correct</a>" not in admin.get(tab).content.decode()
    assert admin.post(url, {"score": "3", "reason": "x"}).status_code == 403


def test_the_correct_pages_are_scoped_to_the_users_sites(login, other_site, nurse, front_desk):
    stranger = PatientFactory(home_location=other_site)
    from clinic.roles import Role
    from tests.factories import UserFactory

    far_nurse = UserFactory(role=Role.NURSE, locations=[other_site])
    weight = kg(stranger, far_nurse, "70")
    measure = pain(stranger, far_nurse, 5)
    client = login(nurse)
    assert (
        client.get(reverse("patients:weight_correct", args=[stranger.pk, weight.pk])).status_code
        == 403
    )
    assert (
        client.get(reverse("patients:measure_correct", args=[stranger.pk, measure.pk])).status_code
        == 403
    )


# --- API --------------------------------------------------------------------------------------


def test_the_api_corrects_a_weight(login, patient, nurse, front_desk, other_site):
    wrong = kg(patient, nurse, "77")
    url = f"/api/v1/patients/{patient.pk}/weights/{wrong.pk}/correct/"
    client = login(nurse)
    bad = client.post(
        url, {"value": "0", "unit": "kg", "reason": "Typo"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "value" in bad.json()["errors"]
    blank = client.post(url, {"value": "72", "unit": "kg"}, content_type="application/json")
    assert blank.status_code == 400 and "reason" in blank.json()["errors"]
    assert login(front_desk).post(url, {"value": "72", "unit": "kg", "reason": "x"},
                                  content_type="application/json").status_code == 403  # fmt: skip
    client = login(nurse)
    done = client.post(url, {"value": "72", "unit": "kg", "reason": "Typo"},
                       content_type="application/json")  # fmt: skip
    assert done.status_code == 201, done.content
    assert done.json()["corrects"] == wrong.pk and done.json()["correction_reason"] == "Typo"
    listed = {
        w["id"]: w for w in client.get(f"/api/v1/patients/{patient.pk}/weights/").json()["results"]
    }
    assert listed[wrong.pk]["corrected_by"] == done.json()["id"]
    assert listed[done.json()["id"]]["corrected_by"] is None
    stranger = PatientFactory(home_location=other_site)
    gone = client.post(
        f"/api/v1/patients/{stranger.pk}/weights/{wrong.pk}/correct/",
        {"value": "72", "unit": "kg", "reason": "x"},
        content_type="application/json",
    )
    assert gone.status_code == 404


def test_the_api_corrects_a_measure(login, patient, nurse, front_desk):
    wrong = pain(patient, nurse, 9)
    url = f"/api/v1/patients/{patient.pk}/measures/{wrong.pk}/correct/"
    client = login(nurse)
    bad = client.post(
        url, {"answers": {"score": 11}, "reason": "Typo"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "score" in bad.json()["errors"]["answers"]
    assert login(front_desk).post(url, {"answers": {"score": 3}, "reason": "x"},
                                  content_type="application/json").status_code == 403  # fmt: skip
    client = login(nurse)
    done = client.post(
        url, {"answers": {"score": 3}, "reason": "Typo"}, content_type="application/json"
    )
    assert done.status_code == 201, done.content
    assert done.json()["corrects"] == wrong.pk
    got = client.get(f"/api/v1/patients/{patient.pk}/measures/{wrong.pk}/").json()
    assert got["corrected_by"] == done.json()["id"]
