"""The drug drawn before the start: what is still missing, in words, for an order's
infusion to start (a draw recorded through ``druglog.drug_draw`` for this order, from a lot
at the visit's site, in date on the visit's day, of at least the order's dose)."""

import datetime
from decimal import Decimal

from django.db.models import OuterRef, Subquery

from clinic.models import Location
from scheduling import services as scheduling_services

from ..models import DoseOrder, DrugLogEntry, EntryKind, Lot


def visit_day(order: DoseOrder) -> datetime.date:
    """The visit's date in its site's zone: the day a lot must still be in date."""
    return scheduling_services.visit_day(order.appointment)


def draw_problems(order: DoseOrder) -> list[str]:
    """What is missing before the drug can run under this order, in words: a draw recorded
    for this order, from a lot at the visit's site, in date on the visit day, and at least
    the order's draw volume in all. Never names the dose itself: a nurse who has not made her blind
    double-check yet reads these too."""
    location = order.appointment.location
    day = visit_day(order)
    entries = list(order.drug_log.all())
    if any(entry.kind in (EntryKind.ADMINISTERED, EntryKind.WASTED) for entry in entries):
        return [
            "The drug drawn for this order is already accounted for as given or wasted: it "
            "cannot start again. Cancel the order and write a new one to draw for."
        ]
    draws = [entry for entry in entries if entry.kind == EntryKind.DRAWN]
    if not draws:
        problem = (
            "No drug has been drawn for this order: record the draw (lot, volume drawn and "
            "who drew it) on the dose panel."
        )
        if not in_date_lots(location, order.vial_mg_per_ml, day).exists():
            problem += (
                f" No in-date lot of {order.vial_mg_per_ml.normalize():f} mg/mL holds stock at "
                f"{location} for {day:%m/%d/%Y}: receive stock first."
            )
        return [problem]
    problems, usable_mg, usable_ml = [], Decimal("0"), Decimal("0")
    for entry in draws:
        lot = entry.lot
        if lot.location_id != location.pk:
            problems.append(f"Lot {lot.lot_number} is stocked at {lot.location}, not {location}.")
        elif lot.expires_on < day:
            problems.append(
                f"Lot {lot.lot_number} (drawn by {entry.by}) expired on "
                f"{lot.expires_on:%m/%d/%Y}, before this visit on {day:%m/%d/%Y}."
            )
        else:
            usable_mg, usable_ml = usable_mg + entry.mg, usable_ml + entry.ml
    # The order's own draw volume is the dose rounded half up to 0.01 mL, so it may hold a
    # little less than the dose in mg (0.87 mL of 50 mg/mL for 43.6 mg): compare volumes.
    if usable_ml < order.draw_volume_ml:
        problems.append(
            f"The volume drawn from in-date lots ({usable_ml} mL, {usable_mg} mg) is less than "
            "the order's dose: draw the rest and record it."
        )
    return problems


def in_date_lots(location: Location, mg_per_ml: Decimal, day: datetime.date):
    """Lots at ``location`` of this strength, in date on ``day``, with stock on hand."""
    latest = DrugLogEntry.objects.filter(lot=OuterRef("pk"), balance_mg__isnull=False)
    return (
        Lot.objects.filter(
            location=location, concentration_mg_per_ml=mg_per_ml, expires_on__gte=day
        )
        .annotate(on_hand_mg=Subquery(latest.order_by("-pk").values("balance_mg")[:1]))
        .filter(on_hand_mg__gt=0)
    )
