"""Issue 18, item 2: the infusion starts only with the drug drawn for this order (a draw
recorded through the drug log: lot, volume, who) from a lot at the visit's site, in date on
the visit's day, of at least the order's dose; the panels say exactly what is missing."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from infusions.models import DoseOrder, DrugLogEntry, InfusionStatus
from infusions.services import (
    drug_draw,
    infusion_drug_account,
    infusion_may_start,
    infusion_start,
    lot_receive,
    vitals_record,
)
from patients.models import ConsentDocument
from patients.selectors import treatment_blockers
from patients.services import consent_sign, intake_record
from tests.factories import UserFactory
from tests.helpers import GOOD, make_appointment, order_for
from tests.infusions.drawing import draw_for, stock_lot
from tests.step_up import tablet_request

START = "/api/v1/infusion-records/{}/start/"


@pytest.fixture
def ready(record, verified_order, nurse):
    """Checked in, baseline taken, order signed and double-checked: only the draw missing."""
    vitals_record(record=record, taken_by=nurse, **GOOD)
    return record


def test_the_start_is_refused_with_nothing_drawn_and_changes_nothing(ready, nurse):
    with pytest.raises(ValidationError) as error:
        infusion_start(record=ready, by=nurse)
    assert "No drug has been drawn for this order" in " ".join(error.value.messages)
    ready.refresh_from_db()
    assert ready.status == InfusionStatus.PRE_ASSESSMENT and ready.started_at is None


def test_with_no_in_date_stock_at_the_site_the_reason_also_says_to_receive_stock(
    verified_order,
):
    reasons = infusion_may_start(verified_order)
    assert reasons == [
        "No drug has been drawn for this order: record the draw (lot, volume drawn and who "
        "drew it) on the dose panel. No in-date lot of 50 mg/mL holds stock at Irvine for "
        f"{timezone.localdate():%m/%d/%Y}: receive stock first."
    ]
    stock_lot(verified_order)
    assert "receive stock" not in infusion_may_start(verified_order)[0]


def test_a_draw_short_of_the_dose_is_named_without_giving_the_dose_away(
    ready, verified_order, nurse
):
    draw_for(verified_order, by=nurse, ml=Decimal("0.5"))  # 25 mg of 34.9 mg
    reasons = infusion_may_start(verified_order)
    assert reasons == [
        "The volume drawn from in-date lots (0.50 mL, 25.00 mg) is less than the order's "
        "dose: draw the rest and record it."
    ]
    assert "34.9" not in reasons[0]
    with pytest.raises(ValidationError, match="less than the order's dose"):
        infusion_start(record=ready, by=nurse)
    draw_for(verified_order, by=nurse, ml=Decimal("0.2"))
    assert infusion_may_start(verified_order) == []
    started = infusion_start(record=ready, by=nurse)
    assert started.status == InfusionStatus.RUNNING


def test_the_order_volume_drawn_from_an_in_date_lot_at_the_site_lets_it_start(
    ready, verified_order, nurse
):
    entry = draw_for(verified_order, by=nurse)
    assert (entry.ml, entry.by, entry.lot.location) == (
        Decimal("0.70"), nurse, verified_order.appointment.location
    )  # fmt: skip
    assert infusion_start(record=ready, by=nurse).status == InfusionStatus.RUNNING


def test_a_lot_expired_on_the_visit_day_is_refused_naming_the_visit(verified_order, nurse):
    visit = timezone.localtime(verified_order.appointment.starts_at).date()
    with time_machine.travel(timezone.now() - datetime.timedelta(days=3), tick=False):
        lot = stock_lot(verified_order, expires_on=visit - datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        drug_draw(order=verified_order, lot=lot, ml=Decimal("0.7"), drawn_by=nurse)
    message = error.value.message_dict["lot"][0]
    assert f"before this visit on {visit:%m/%d/%Y}" in message
    assert not DrugLogEntry.objects.filter(kind="drawn").exists()


def test_a_lot_at_another_site_cannot_be_drawn_for_this_visit(verified_order, nurse, other_site):
    pharmacist = UserFactory(role="physician", locations=[other_site])
    elsewhere = lot_receive(
        location=other_site, lot_number="SD1", concentration_mg_per_ml=Decimal("50"),
        vial_volume_ml=Decimal("10"), vials=1, received_by=pharmacist,
        expires_on=timezone.localdate() + datetime.timedelta(days=90),
    )  # fmt: skip
    nurse.locations.add(other_site)
    with pytest.raises(ValidationError, match="stocked at San Diego"):
        drug_draw(order=verified_order, lot=elsewhere, ml=Decimal("0.7"), drawn_by=nurse)


# --- API ----------------------------------------------------------------------------------


def test_the_api_refuses_the_start_then_draws_and_starts(login, ready, verified_order, nurse):
    client = login(nurse)
    refused = client.post(START.format(ready.pk))
    assert refused.status_code == 400, refused.content
    assert "No drug has been drawn for this order" in str(refused.json())
    order = client.get(f"/api/v1/dose-orders/{verified_order.pk}/").json()
    assert any("No drug has been drawn" in reason for reason in order["start_blockers"])
    lot = stock_lot(verified_order)
    drawn = client.post(
        "/api/v1/drug-log-entries/",
        {"kind": "drawn", "lot": lot.pk, "order": verified_order.pk, "ml": "0.70"},
        content_type="application/json",
    )
    assert drawn.status_code == 201, drawn.content
    assert (
        drawn.json()[0]["by"]
        and client.get(f"/api/v1/dose-orders/{verified_order.pk}/").json()["start_blockers"] == []
    )
    started = client.post(START.format(ready.pk))
    assert started.status_code == 200, started.content
    assert started.json()["status"] == "running"


# --- Screens --------------------------------------------------------------------------------


def test_the_chair_screen_lists_the_missing_draw_and_links_to_the_draw(
    login, ready, verified_order, nurse
):
    client = login(nurse)
    page = client.get(f"/infusions/appointments/{ready.appointment_id}/chair/").content.decode()
    assert "Do not start yet." in page and "No drug has been drawn for this order" in page
    assert f"/infusions/appointments/{ready.appointment_id}/dose/#draw" in page
    refused = client.post(f"/infusions/records/{ready.pk}/start/")
    assert refused.status_code == 400 and "No drug has been drawn" in refused.content.decode()


def test_the_dose_panel_records_the_draw_and_then_says_ready(login, verified_order, nurse):
    lot = stock_lot(verified_order)
    client = login(nurse)
    url = f"/infusions/appointments/{verified_order.appointment_id}/dose/"
    assert "No drug has been drawn for this order" in client.get(url).content.decode()
    response = client.post(
        f"/infusions/orders/{verified_order.pk}/draw/", {"lot": lot.pk, "ml": "0.70"},
        follow=True,
    )  # fmt: skip
    page = response.content.decode()
    assert "Draw recorded." in page and "Ready to start" in page
    assert f"Drawn 0.70 mL (35.00 mg) from lot {lot.lot_number} by" in page


def test_a_draw_already_wasted_before_the_start_does_not_count(
    ready, verified_order, nurse, second_nurse, password
):
    draw_for(verified_order, by=nurse)
    infusion_drug_account(
        order=verified_order, administered_mg=Decimal("0"), wasted_mg=Decimal("35.00"),
        witness=second_nurse, by=nurse, witness_password=password, request=tablet_request(),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="already accounted for as given or wasted"):
        infusion_start(record=ready, by=nurse)


def test_the_orders_draw_volume_is_enough_even_when_rounding_leaves_it_under_the_dose_in_mg(
    record, appointment, nurse, second_nurse, physician
):
    """87.2 kg at 0.5 mg/kg is 43.6 mg: 0.872 mL of 50 mg/mL, which the order rounds to the
    0.87 mL a syringe measures (43.5 mg). Drawing what the order says must let it start."""
    from infusions.services import dose_check_record, dose_order_create
    from tests.helpers import weigh
    from tests.step_up import sign

    weight = weigh(appointment, nurse, "87.2")
    order = dose_order_create(
        appointment=appointment, weight=weight, vial_mg_per_ml=Decimal("50"), created_by=nurse
    )
    assert (order.dose_mg, order.draw_volume_ml) == (Decimal("43.6"), Decimal("0.87"))
    sign(order, physician)
    for checker in (nurse, second_nurse):
        dose_check_record(order=order, nurse=checker, entered_mg=Decimal("43.6"))
    vitals_record(record=record, taken_by=nurse, **GOOD)
    order = DoseOrder.objects.get(pk=order.pk)
    draw_for(order, by=nurse)
    assert infusion_may_start(order) == []
    assert infusion_start(record=record, by=nurse).status == InfusionStatus.RUNNING


def test_no_infusion_starts_before_the_allergies_and_the_signed_consent_are_on_file(
    site, nurse, protocol
):
    """Booking may come first (a course is often booked at the first call), but the drug
    does not run for a patient whose allergies nobody has recorded, or who has not signed
    the treatment consent; the reasons come first on the dose panel and the chair."""
    appointment = make_appointment(site=site, nurse=nurse, protocol=protocol, ready=False)
    order = order_for(appointment, nurse)
    reasons = infusion_may_start(order)
    assert reasons[:2] == [
        "Allergies are not on record: complete the clinical intake (list the allergies, or "
        "mark no known drug allergies) before the first infusion.",
        "No signed treatment consent: the patient signs it, witnessed, before the first infusion.",
    ]
    patient = appointment.patient
    intake_record(
        patient=patient, recorded_by=nurse, symptom_duration_months=30,
        no_known_drug_allergies=False, allergies="Sulfa drugs (rash)",
    )  # fmt: skip
    assert treatment_blockers(patient) == [reasons[1]]
    document = ConsentDocument.objects.create(
        title="Consent to IV ketamine infusion therapy", version="1.0", body="...",
        effective_from=datetime.date(2026, 1, 1),
    )  # fmt: skip
    consent_sign(patient=patient, document=document, typed_name=patient.legal_name, witness=nurse)
    assert treatment_blockers(patient) == []
    assert not any("consent" in r or "Allergies" in r for r in infusion_may_start(order))
