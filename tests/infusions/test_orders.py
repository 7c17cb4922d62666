"""Dose orders: the weight window, the stored calculation, hard and soft limits, signing
(physician or standing order), replacement, and the append-only record."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from clinic.roles import Role
from infusions.models import DoseOrder, OrderStatus, SignedAs
from infusions.selectors.orders import unsigned_orders_for
from infusions.services import (
    dose_order_cancel,
    dose_order_create,
    dose_order_override,
    infusion_may_start,
    protocol_revise,
)
from tests.factories import UserFactory
from tests.helpers import make_appointment, weigh
from tests.step_up import sign


def test_a_154_lb_weight_gives_a_34_9_mg_order_with_the_whole_calculation(order, protocol):
    order = DoseOrder.objects.get(pk=order.pk)
    assert order.weight_kg == Decimal("69.85")
    assert order.dose_mg == Decimal("34.9")
    assert order.draw_volume_ml == Decimal("0.70")
    assert order.pump_rate_ml_per_h == Decimal("150.0")
    assert order.bag_volume_ml == Decimal("100")
    assert order.dose_rate_mg_per_kg_per_h == Decimal("0.75")
    assert order.infusion_minutes == 40
    assert order.protocol_version == protocol.current_version
    assert order.limits == [] and not order.has_soft_limit
    assert "dose_mg" in order.rounding_rules
    assert order.status == OrderStatus.UNSIGNED


def test_a_weight_from_last_month_is_refused_asking_for_a_new_weight(appointment, nurse):
    old = weigh(appointment, nurse, "70", measured_at=timezone.now() - datetime.timedelta(days=30))
    with pytest.raises(ValidationError) as error:
        dose_order_create(
            appointment=appointment, weight=old, vial_mg_per_ml=Decimal("50"), created_by=nurse
        )
    assert "record the new weight" in error.value.message_dict["weight"][0]
    assert not DoseOrder.objects.exists()


def test_a_window_in_hours_accepts_yesterday_evening_but_not_two_days_ago(
    site, nurse, physician, protocol
):
    protocol_revise(
        protocol=protocol, changed_by=physician, change_note="72 h", weight_max_age_hours=72
    )
    appointment = make_appointment(site=site, nurse=nurse, protocol=protocol)
    recent = weigh(
        appointment, nurse, "70", measured_at=timezone.now() - datetime.timedelta(hours=20)
    )
    dose_order_create(
        appointment=appointment, weight=recent, vial_mg_per_ml=Decimal("50"), created_by=nurse
    )
    stale = weigh(
        appointment, nurse, "70", measured_at=timezone.now() - datetime.timedelta(hours=80)
    )
    with pytest.raises(ValidationError, match="72 hours"):
        dose_order_create(
            appointment=appointment, weight=stale, vial_mg_per_ml=Decimal("50"), created_by=nurse
        )


def test_another_patients_weight_is_refused(appointment, site, nurse, protocol):
    other = make_appointment(site=site, nurse=nurse, protocol=protocol,
                             starts_at=timezone.now() + datetime.timedelta(hours=3))  # fmt: skip
    weight = weigh(other, nurse, "70")
    with pytest.raises(ValidationError, match="another patient"):
        dose_order_create(
            appointment=appointment, weight=weight, vial_mg_per_ml=Decimal("50"), created_by=nurse
        )


def test_a_vial_the_protocol_does_not_stock_is_refused(appointment, nurse):
    weight = weigh(appointment, nurse, "70")
    with pytest.raises(ValidationError) as error:
        dose_order_create(
            appointment=appointment, weight=weight, vial_mg_per_ml=Decimal("25"), created_by=nurse
        )
    assert "vial_mg_per_ml" in error.value.message_dict


@pytest.mark.parametrize("who", ["nurse", "physician"])
def test_a_hard_limit_is_refused_for_everyone(appointment, nurse, physician, who):
    weight = weigh(appointment, nurse, "250")  # 125 mg: above the 100 mg hard maximum
    user = {"nurse": nurse, "physician": physician}[who]
    with pytest.raises(ValidationError) as error:
        dose_order_create(
            appointment=appointment, weight=weight, vial_mg_per_ml=Decimal("50"),
            created_by=user, override_reason="I know best" if who == "physician" else "",
        )  # fmt: skip
    assert "Hard limit" in error.value.message_dict["dose_mg"][0]
    assert not DoseOrder.objects.exists()


@pytest.fixture
def soft_order(appointment, nurse):
    weight = weigh(appointment, nurse, "130")  # 65 mg: above the 60 mg soft maximum
    return dose_order_create(
        appointment=appointment, weight=weight, vial_mg_per_ml=Decimal("50"), created_by=nurse
    )


def test_a_soft_limit_needs_a_physicians_reason_before_signing(soft_order, nurse, physician):
    assert soft_order.has_soft_limit and soft_order.limits[0]["kind"] == "soft"
    with pytest.raises(PermissionDenied):
        dose_order_override(order=soft_order, physician=nurse, reason="Because")
    with pytest.raises(ValidationError) as error:
        sign(soft_order, physician)
    assert "override_reason" in error.value.message_dict
    with pytest.raises(ValidationError):
        dose_order_override(order=soft_order, physician=physician, reason="   ")
    override = dose_order_override(
        order=soft_order, physician=physician, reason="Tolerated 65 mg on 8 prior infusions."
    )
    assert override.overridden_by == physician
    sign(soft_order, physician)
    assert DoseOrder.objects.with_status().get(pk=soft_order.pk).status == OrderStatus.SIGNED


def test_a_nurse_cannot_give_an_override_reason_when_ordering(appointment, nurse):
    weight = weigh(appointment, nurse, "130")
    with pytest.raises(PermissionDenied):
        dose_order_create(
            appointment=appointment, weight=weight, vial_mg_per_ml=Decimal("50"),
            created_by=nurse, override_reason="Patient asked",
        )  # fmt: skip
    assert not DoseOrder.objects.exists()


def test_a_physician_may_override_when_ordering(appointment, nurse, physician):
    weight = weigh(appointment, nurse, "130")
    order = dose_order_create(
        appointment=appointment, weight=weight, vial_mg_per_ml=Decimal("50"),
        created_by=physician, override_reason="Established tolerance.",
    )  # fmt: skip
    assert order.soft_limit_override.overridden_by == physician


def test_only_a_physician_signs_unless_the_version_allows_standing_orders(
    order, nurse, physician, protocol, site
):
    with pytest.raises(PermissionDenied):
        sign(order, nurse)
    sign(order, physician)
    event = DoseOrder.objects.get(pk=order.pk).signature
    assert event.signed_as == SignedAs.PHYSICIAN and event.by == physician
    with pytest.raises(ValidationError, match="cannot become signed"):
        sign(order, physician)


def test_a_standing_order_is_activated_by_a_nurse_and_recorded_as_such(
    site, nurse, physician, protocol
):
    protocol_revise(
        protocol=protocol, changed_by=physician, change_note="Standing order", standing_order=True
    )
    appointment = make_appointment(site=site, nurse=nurse, protocol=protocol)
    order = dose_order_create(
        appointment=appointment, weight=weigh(appointment, nurse, "70"),
        vial_mg_per_ml=Decimal("50"), created_by=nurse,
    )  # fmt: skip
    sign(order, nurse)
    event = DoseOrder.objects.get(pk=order.pk).signature
    assert event.signed_as == SignedAs.STANDING_ORDER and event.by == nurse


def test_a_new_order_replaces_and_cancels_the_one_in_force(order, appointment, nurse):
    weight = weigh(appointment, nurse, "71")
    new = dose_order_create(
        appointment=appointment, weight=weight, vial_mg_per_ml=Decimal("10"), created_by=nurse
    )
    assert new.replaces == order
    assert DoseOrder.objects.with_status().get(pk=order.pk).status == OrderStatus.CANCELLED
    assert list(appointment.dose_orders.active()) == [new]
    assert infusion_may_start(DoseOrder.objects.get(pk=order.pk))[0].startswith("This order was")


def test_cancelling_needs_a_reason_and_is_final(order, nurse):
    with pytest.raises(ValidationError):
        dose_order_cancel(order=order, cancelled_by=nurse, reason="")
    dose_order_cancel(order=order, cancelled_by=nurse, reason="Patient declined")
    with pytest.raises(ValidationError):
        dose_order_cancel(order=order, cancelled_by=nurse, reason="again")


def test_the_front_desk_cannot_order(appointment, nurse, front_desk):
    weight = weigh(appointment, nurse, "70")
    with pytest.raises(PermissionDenied):
        dose_order_create(
            appointment=appointment, weight=weight, vial_mg_per_ml=Decimal("50"),
            created_by=front_desk,
        )  # fmt: skip


def test_an_out_of_date_protocol_version_is_refused(appointment, nurse, physician, protocol):
    first = protocol.current_version
    protocol_revise(protocol=protocol, changed_by=physician, change_note="x", soft_max_mg=50)
    with pytest.raises(ValidationError, match="out of date"):
        dose_order_create(
            appointment=appointment, weight=weigh(appointment, nurse, "70"),
            vial_mg_per_ml=Decimal("50"), created_by=nurse, protocol_version=first,
        )  # fmt: skip


def test_the_signing_queue_lists_unsigned_orders_at_the_physicians_sites(
    order, physician, other_site
):
    assert list(unsigned_orders_for(physician)) == [order]
    elsewhere = UserFactory(role=Role.PHYSICIAN, locations=[other_site])
    assert list(unsigned_orders_for(elsewhere)) == []
    sign(order, physician)
    assert list(unsigned_orders_for(physician)) == []


def test_an_order_cannot_be_changed_in_the_database(order):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE infusions_doseorder SET dose_mg = 77 WHERE id = %s", [order.pk])
