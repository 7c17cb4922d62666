"""Recording the drug draw the normal way (``lot_receive`` then ``drug_draw``), for tests
whose infusion must start: the start needs a draw for the order from an in-date lot at the
visit's site, of at least the order's dose."""

import datetime
from decimal import Decimal

from infusions.models import DoseOrder, DrugLogEntry, Lot
from infusions.services import drug_draw
from tests.factories import LotFactory


def stock_lot(order: DoseOrder, *, number: str = "", expires_on=None) -> Lot:
    """A lot of the order's strength received at the visit's site by a clinic admin there
    (not a physician: one more physician at the site would be one more on duty to page),
    in date for a year after the visit."""
    appointment = order.appointment
    location = appointment.location
    return LotFactory(
        location=location, lot_number=number or f"T{order.pk}-{Lot.objects.count() + 1}",
        concentration_mg_per_ml=order.vial_mg_per_ml, vial_volume_ml=Decimal("10"),
        received_vials=1,
        expires_on=expires_on or appointment.starts_at.date() + datetime.timedelta(days=365),
    )  # fmt: skip


def draw_for(order: DoseOrder, *, by, ml: Decimal | None = None, lot: Lot | None = None):
    """The order's volume (or ``ml``) drawn by ``by`` from ``lot`` (a fresh one by default)."""
    lot = lot or stock_lot(order)
    order = DoseOrder.objects.get(pk=order.pk)
    return drug_draw(order=order, lot=lot, ml=ml or order.draw_volume_ml, drawn_by=by)


def ensure_drawn(order: DoseOrder, *, by) -> None:
    """The order's volume drawn by ``by``, unless a draw is already recorded for it (a test
    that set up its own draw keeps it)."""
    if not DrugLogEntry.objects.filter(order=order, kind="drawn").exists():
        draw_for(order, by=by)
