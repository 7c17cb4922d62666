"""The dose panel, the signing queue, the physician home, the drug-log pages, the admin and
the API: each a thin door onto the same services."""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from infusions.models import DoseOrder, DrugLogEntry, Lot, OrderStatus
from infusions.services import dose_check_record, lot_receive
from tests.helpers import weigh
from tests.infusions.drawing import ensure_drawn
from tests.step_up import signer_credentials


def panel(appointment):
    return reverse("infusions:dose_panel", args=[appointment.pk])


def test_the_panel_asks_for_a_weight_when_none_is_in_the_window(appointment, nurse, login):
    weigh(appointment, nurse, "70", measured_at=timezone.now() - datetime.timedelta(days=30))
    response = login(nurse).get(panel(appointment))
    assert response.status_code == 200
    assert b"No weight inside the protocol" in response.content
    assert (
        reverse("patients:weight_new", args=[appointment.patient.pk]).encode() in response.content
    )


def test_a_nurse_orders_from_the_panel_and_sees_it_unsigned(appointment, nurse, login):
    weight = weigh(appointment, nurse, "154", "lb")
    client = login(nurse)
    response = client.post(
        reverse("infusions:order_create", args=[appointment.pk]),
        {"weight": weight.pk, "vial_mg_per_ml": "50"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    order = DoseOrder.objects.get()
    assert order.dose_mg == Decimal("34.9")
    page = client.get(panel(appointment)).content.decode()
    assert "Do not start the infusion" in page and "not signed" in page
    # Blind until she checks, even though she ordered it.
    assert "34.9" not in page


def test_a_hard_limit_is_shown_on_the_form_and_nothing_is_saved(appointment, physician, login):
    weight = weigh(appointment, physician, "250")
    response = login(physician).post(
        reverse("infusions:order_create", args=[appointment.pk]),
        {"weight": weight.pk, "vial_mg_per_ml": "50", "override_reason": "Please"},
    )
    assert response.status_code == 400
    assert b"Hard limit" in response.content
    assert not DoseOrder.objects.exists()


def test_the_physician_sees_the_order_in_the_queue_and_signs_it(order, physician, login):
    client = login(physician)
    home = client.get(reverse("infusions:physician_home")).content.decode()
    assert "Unsigned dose orders (1)" in home and "34.9 mg" in home
    queue = client.get(reverse("infusions:signing_queue")).content.decode()
    assert panel(order.appointment) in queue
    response = client.post(
        reverse("infusions:order_sign", args=[order.pk]), signer_credentials(physician)
    )
    assert response.status_code == 302
    assert DoseOrder.objects.with_status().get().status == OrderStatus.SIGNED
    assert "No orders to sign" in client.get(reverse("infusions:signing_queue")).content.decode()


def test_a_nurse_cannot_sign_from_the_panel(order, nurse, login, password):
    response = login(nurse).post(
        reverse("infusions:order_sign", args=[order.pk]), {"password": password}
    )
    assert response.status_code == 400
    assert b"Only a physician" in response.content
    assert DoseOrder.objects.with_status().get().status == OrderStatus.UNSIGNED


def test_two_nurses_check_through_the_panel_and_the_order_is_ready(
    signed_order, nurse, second_nurse, client
):
    for who in (nurse, second_nurse):
        client.force_login(who)
        response = client.post(
            reverse("infusions:check_create", args=[signed_order.pk]), {"entered_mg": "34.9"}
        )
        assert response.status_code == 302
    page = client.get(panel(signed_order.appointment)).content.decode()
    assert "Do not start" in page and "No drug has been drawn" in page and "34.9" in page
    ensure_drawn(signed_order, by=nurse)
    page = client.get(panel(signed_order.appointment)).content.decode()
    assert "Ready to start" in page and "34.9" in page


def test_a_mismatch_through_the_panel_is_announced(order, nurse, second_nurse, client):
    dose_check_record(order=order, nurse=nurse, entered_mg=Decimal("34.9"))
    client.force_login(second_nurse)
    response = client.post(
        reverse("infusions:check_create", args=[order.pk]), {"entered_mg": "77"}, follow=True
    )
    assert b"does NOT match" in response.content and b"Mismatch recorded" in response.content


def test_the_drug_log_pages_and_reconciliation(signed_order, nurse, physician, site, login):
    lot = lot_receive(
        location=site, lot_number="K9", concentration_mg_per_ml=Decimal("50"),
        vial_volume_ml=Decimal("10"), vials=1, received_by=physician,
        expires_on=timezone.localdate() + datetime.timedelta(days=300),
    )  # fmt: skip
    client = login(nurse)
    response = client.post(
        reverse("infusions:drug_draw", args=[signed_order.pk]), {"lot": lot.pk, "ml": "0.7"}
    )
    assert response.status_code == 302
    lots = client.get(reverse("infusions:lots")).content.decode()
    assert "K9" in lots and "465.00" in lots
    detail = client.get(reverse("infusions:lot_detail", args=[lot.pk])).content.decode()
    assert "Drawn" in detail and "9.30" in detail
    form = client.get(reverse("infusions:reconcile", args=[site.pk]))
    assert form.status_code == 200
    response = client.post(reverse("infusions:reconcile", args=[site.pk]), {f"lot_{lot.pk}": "9.3"})
    assert response.status_code == 302
    response = client.post(
        reverse("infusions:drug_draw", args=[signed_order.pk]), {"lot": lot.pk, "ml": "0.1"}
    )
    assert response.status_code == 400 and b"closed" in response.content


def test_the_api_creates_signs_and_lists_orders(appointment, nurse, physician, client):
    weight = weigh(appointment, nurse, "70")
    client.force_login(nurse)
    response = client.post(
        reverse("dose-order-list"),
        {"appointment": appointment.pk, "weight": weight.pk, "vial_mg_per_ml": "50"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["dose_blinded"] is True and body["dose_mg"] is None
    assert body["pump_rate_ml_per_h"] == "150.0" and body["status"] == "unsigned"
    client.force_login(physician)
    signed = client.post(
        reverse("dose-order-sign", args=[body["id"]]), signer_credentials(physician),
        content_type="application/json",
    )  # fmt: skip
    assert signed.status_code == 200 and signed.json()["signed_as"] == "physician"
    assert signed.json()["dose_mg"] == "35.00"


def test_the_api_refuses_a_nurse_override(order, nurse, client):
    client.force_login(nurse)
    response = client.post(
        reverse("dose-order-override", args=[order.pk]), {"reason": "x"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 403


def test_the_api_records_a_draw_and_the_account(
    signed_order, nurse, second_nurse, physician, site, client, password
):
    client.force_login(physician)
    response = client.post(
        reverse("lot-list"),
        {"location": site.pk, "lot_number": "A1", "concentration_mg_per_ml": "50",
         "vial_volume_ml": "10", "expires_on": "2099-01-01", "vials": 2},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    lot_id = response.json()["id"]
    assert response.json()["balance_mg"] == "1000.00"
    client.force_login(nurse)
    response = client.post(
        reverse("drug-log-entry-list"),
        {"kind": "drawn", "lot": lot_id, "ml": "0.7", "order": signed_order.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    response = client.post(
        reverse("drug-log-entry-account"),
        {"order": signed_order.pk, "administered_mg": "34.9", "wasted_mg": "0.1",
         "witness": nurse.pk},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400 and "witness" in response.json()["errors"]
    response = client.post(
        reverse("drug-log-entry-account"),
        {"order": signed_order.pk, "administered_mg": "34.9", "wasted_mg": "0.1",
         "witness": second_nurse.pk, "witness_password": password},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201
    listed = client.get(reverse("drug-log-entry-list") + f"?order={signed_order.pk}").json()
    assert [entry["kind"] for entry in listed["results"]] == ["drawn", "administered", "wasted"]


def test_a_clinic_admin_receives_a_lot_in_the_admin_and_records_are_read_only(
    order, clinic_admin, site, login
):
    client = login(clinic_admin)
    response = client.post(
        reverse("admin:infusions_lot_add"),
        {"location": site.pk, "lot_number": "ADM1", "concentration_mg_per_ml": "10",
         "vial_volume_ml": "5", "expires_on": "2099-12-31", "supplier": "", "vials": "3"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    lot = Lot.objects.get(lot_number="ADM1")
    assert DrugLogEntry.objects.get(lot=lot).mg == Decimal("150.00")
    assert (
        client.get(reverse("admin:infusions_doseorder_change", args=[order.pk])).status_code == 200
    )
    assert client.get(reverse("admin:infusions_doseorder_add")).status_code == 403
    assert client.get(reverse("admin:infusions_druglogentry_changelist")).status_code == 200
