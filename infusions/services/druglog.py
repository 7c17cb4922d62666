"""Controlled-substance log writes: receive a lot, draw from it, account for an infusion
(administered + wasted), adjust.

Every write that changes a lot's stock locks the ``Lot`` row first (``select_for_update``),
then computes the running balance from the lot's previous entry, so concurrent draws queue
up and the balance in mg and mL can never go below zero. Entries dated on or before a site's
latest reconciled day are refused: a reconciled day is closed.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from clinic.access import locations_for, require_role
from clinic.models import Location, User
from clinic.roles import CLINICAL, EDITORS
from scheduling.models import AppointmentStatus

from ..models import DailyReconciliation, DoseOrder, DrugLogEntry, EntryKind, Lot, OrderStatus
from ..timing import CLOCK_SKEW
from .draws import visit_day
from .step_up import witness_confirm

RECEIVERS = EDITORS
HANDLERS = CLINICAL  # draw, give, waste, witness
ADJUSTERS = EDITORS
CENT = Decimal("0.01")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _positive(name: str, value, what: str, *, zero_ok: bool = False) -> Decimal:
    if isinstance(value, float) or not isinstance(value, (Decimal, int)):
        raise ValidationError({name: f"Enter {what} as a number."})
    value = Decimal(value)
    if not value.is_finite() or value < 0 or (value == 0 and not zero_ok):
        raise ValidationError({name: f"Enter {what}: a number above zero."})
    return value


def business_date(location: Location, moment: datetime.datetime) -> datetime.date:
    return location.date_of(moment)


def require_site(user: User, location: Location, doing: str) -> None:
    if not locations_for(user).filter(pk=location.pk).exists():
        raise PermissionDenied(f"You do not work at {location}, so you may not {doing}.")


def last_reconciled_day(location: Location) -> DailyReconciliation | None:
    return location.drug_reconciliations.order_by("-business_date").first()


def _closed_day_problem(location: Location, day: datetime.date) -> str | None:
    closed = last_reconciled_day(location)
    if closed is not None and day <= closed.business_date:
        return (
            f"{location} reconciled {closed.business_date:%m/%d/%Y} "
            f"({closed.reconciled_by}, {timezone.localtime(closed.reconciled_at):%m/%d %H:%M}): "
            "that day and the days before it are closed. Record it on a later day as an "
            "adjustment with the reason."
        )
    return None


def _when(location: Location, occurred_at: datetime.datetime | None) -> tuple:
    now = timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + CLOCK_SKEW:
        raise ValidationError({"occurred_at": "An entry cannot be dated in the future."})
    day = business_date(location, occurred_at)
    if problem := _closed_day_problem(location, day):
        raise ValidationError({"occurred_at": problem})
    return occurred_at, day


def lot_balance(lot: Lot) -> tuple[Decimal, Decimal]:
    """(mg, mL) on hand: the running balance after the lot's latest stock entry."""
    latest = lot.entries.filter(balance_mg__isnull=False).order_by("-pk").first()
    if latest is None:
        return Decimal("0.00"), Decimal("0.00")
    return latest.balance_mg, latest.balance_ml


def _stock_entry(*, lot: Lot, kind: str, change_ml: Decimal, by: User, **fields) -> DrugLogEntry:
    """Save an entry that moves stock. The caller holds the lock on ``lot``."""
    change_mg = _cents(change_ml * lot.concentration_mg_per_ml)
    balance_mg, balance_ml = lot_balance(lot)
    balance_mg, balance_ml = balance_mg + change_mg, balance_ml + change_ml
    if balance_mg < 0 or balance_ml < 0:
        raise ValidationError(
            {"ml": f"Lot {lot.lot_number} holds only {balance_ml + -change_ml} mL "
             f"({balance_mg - change_mg} mg): this would leave it below zero. Count the "
             "vials and check the entry."}
        )  # fmt: skip
    entry = DrugLogEntry(
        location=lot.location, lot=lot, kind=kind, ml=abs(change_ml), mg=abs(change_mg),
        stock_change_mg=change_mg, stock_change_ml=change_ml, balance_mg=balance_mg,
        balance_ml=balance_ml, by=by, **fields,
    )  # fmt: skip
    if kind == EntryKind.ADJUSTMENT:
        entry.mg, entry.ml = change_mg, change_ml
    entry.full_clean()
    entry.save()
    return entry


def _lock_site(location: Location) -> None:
    """Every drug-log write and every reconciliation of a site takes this lock first (then
    the lot's), so an entry cannot slip into a day while it is being reconciled."""
    Location.objects.select_for_update().filter(pk=location.pk).first()


def _lock_lot(lot: Lot) -> Lot:
    return Lot.objects.select_for_update().select_related("location").get(pk=lot.pk)


@transaction.atomic
def lot_receive(
    *,
    location: Location,
    lot_number: str,
    concentration_mg_per_ml: Decimal,
    vial_volume_ml: Decimal,
    expires_on: datetime.date,
    vials: int,
    received_by: User,
    received_at: datetime.datetime | None = None,
    supplier: str = "",
) -> Lot:
    """Record a lot received at a site, with its 'received' entry (vials x volume)."""
    require_role(received_by, *RECEIVERS, doing="receive controlled substances")
    require_site(received_by, location, "receive stock there")
    if isinstance(vials, bool) or not isinstance(vials, int) or vials <= 0:
        raise ValidationError({"vials": "Enter the number of vials received (at least 1)."})
    _lock_site(location)
    received_at, day = _when(location, received_at)
    if expires_on is not None and expires_on < day:
        raise ValidationError({"expires_on": "This lot has already expired; do not receive it."})
    lot = Lot(
        location=location, lot_number=(lot_number or "").strip(),
        concentration_mg_per_ml=concentration_mg_per_ml, vial_volume_ml=vial_volume_ml,
        expires_on=expires_on, received_vials=vials, received_at=received_at,
        received_by=received_by, supplier=supplier,
    )  # fmt: skip
    lot.full_clean()
    lot.save()
    lot = _lock_lot(lot)
    _stock_entry(
        lot=lot, kind=EntryKind.RECEIVED, change_ml=_cents(vials * lot.vial_volume_ml),
        by=received_by, occurred_at=received_at, business_date=day,
        reason=f"{vials} vial(s) of {lot.vial_volume_ml} mL",
    )  # fmt: skip
    return lot


@transaction.atomic
def drug_draw(
    *,
    order: DoseOrder,
    lot: Lot,
    ml: Decimal,
    drawn_by: User,
    occurred_at: datetime.datetime | None = None,
) -> DrugLogEntry:
    """Draw ``ml`` from a lot for an infusion: mg = mL x the lot's concentration."""
    require_role(drawn_by, *HANDLERS, doing="draw controlled substances")
    ml = _cents(_positive("ml", ml, "the volume drawn in mL"))
    order = (
        DoseOrder.objects.select_for_update()
        .with_status()
        .select_related("appointment__location")
        .get(pk=order.pk)
    )
    location = order.appointment.location
    require_site(drawn_by, location, "draw stock there")
    _lock_site(location)
    lot = _lock_lot(lot)
    if lot.location_id != location.pk:
        raise ValidationError({"lot": f"Lot {lot.lot_number} is stocked at {lot.location}."})
    if order.status == OrderStatus.CANCELLED:
        raise ValidationError({"order": "This order was cancelled; draw for its replacement."})
    if order.appointment.status in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW):
        raise ValidationError({"order": (
            f"This visit is {order.appointment.get_status_display().lower()} (not given, "
            "or never came): nothing is drawn for it."
        )})  # fmt: skip
    if order.drug_log.filter(kind__in=[EntryKind.ADMINISTERED, EntryKind.WASTED]).exists():
        raise ValidationError({"order": "This infusion's drug is already accounted for."})
    occurred_at, day = _when(location, occurred_at)
    if max(day, visit_day(order)) > lot.expires_on:
        raise ValidationError(
            {"lot": f"Lot {lot.lot_number} expired on {lot.expires_on:%m/%d/%Y}, before this "
             f"visit on {visit_day(order):%m/%d/%Y}: do not use it. Set it aside for disposal "
             "and draw from another lot."}
        )  # fmt: skip
    if lot.concentration_mg_per_ml != order.vial_mg_per_ml:
        raise ValidationError(
            {"lot": f"The order is for {order.vial_mg_per_ml.normalize():f} mg/mL vials; lot "
             f"{lot.lot_number} is {lot.concentration_mg_per_ml.normalize():f} mg/mL."}
        )  # fmt: skip
    return _stock_entry(
        lot=lot, kind=EntryKind.DRAWN, change_ml=-ml, by=drawn_by, order=order,
        occurred_at=occurred_at, business_date=day,
    )  # fmt: skip


def infusion_drug_account(
    *,
    order: DoseOrder,
    administered_mg: Decimal,
    wasted_mg: Decimal,
    witness: User | None,
    by: User,
    occurred_at: datetime.datetime | None = None,
    witness_password: str = "",
    witness_otp_token: str = "",
    request=None,
) -> list[DrugLogEntry]:
    """Record what was given and what was wasted for one infusion. Drawn must equal
    administered + wasted to the 0.01 mg; waste needs a witness who neither drew nor wastes
    and who confirms it on this screen with their password (and their authenticator code
    when they have one: ``step_up.witness_confirm``). Refused as a whole (nothing saved) if
    any rule fails. Every other rule is checked before the witness's credentials, and
    again under the locks when writing; a wrong password or code is counted for the
    witness's lockout even though nothing is saved."""
    account = {"order": order, "administered_mg": administered_mg, "wasted_mg": wasted_mg,
               "witness": witness, "by": by, "occurred_at": occurred_at}  # fmt: skip
    drug_account_confirm(
        account, witness_password=witness_password, witness_otp_token=witness_otp_token,
        request=request,
    )  # fmt: skip
    return drug_account_write(account)


def drug_account_confirm(account: dict, *, witness_password, witness_otp_token, request) -> None:
    """Every rule of the accounting checked without writing; then, when there is waste, the
    witness's credentials. Call it outside any transaction: a wrong password or code must
    stay counted for the witness's lockout even though nothing is saved."""
    if _account(**account, write=False):
        witness_confirm(
            witness=account["witness"], password=witness_password,
            otp_token=witness_otp_token, request=request,
        )  # fmt: skip


def drug_account_write(account: dict) -> list[DrugLogEntry]:
    """After ``drug_account_confirm``: the rules again under the locks, and the entries."""
    return _account(**account, write=True)


@transaction.atomic
def _account(
    *, order, administered_mg, wasted_mg, witness, by, occurred_at, write: bool
) -> list[DrugLogEntry]:
    """The entries to save (saved when ``write``); nothing saved and a ValidationError when
    a rule fails. Without ``write``, a non-empty list means a witness must confirm."""
    require_role(by, *HANDLERS, doing="account for controlled substances")
    administered = _positive("administered_mg", administered_mg, "the mg given", zero_ok=True)
    wasted = _positive("wasted_mg", wasted_mg, "the mg wasted", zero_ok=True)
    order = (
        DoseOrder.objects.select_for_update()
        .select_related("appointment__location")
        .get(pk=order.pk)
    )
    location = order.appointment.location
    require_site(by, location, "account for stock there")
    _lock_site(location)
    entries = order.drug_log.all()
    if entries.filter(kind__in=[EntryKind.ADMINISTERED, EntryKind.WASTED]).exists():
        raise ValidationError("This infusion's drug is already accounted for.")
    drawn = entries.filter(kind=EntryKind.DRAWN)
    drawn_mg = drawn.aggregate(total=Sum("mg"))["total"] or Decimal("0")
    if drawn_mg == 0:
        raise ValidationError("Nothing was drawn for this infusion; record the draw first.")
    if _cents(administered + wasted) != _cents(drawn_mg):
        raise ValidationError(
            {"wasted_mg": f"{drawn_mg} mg was drawn, but {administered} mg given + {wasted} mg "
             f"wasted = {administered + wasted} mg. Every mg drawn must be given or wasted; "
             "check both amounts."}
        )  # fmt: skip
    drawers = set(drawn.values_list("by_id", flat=True))
    if wasted > 0:
        if witness is None:
            raise ValidationError({"witness": "Waste needs a witness: a second staff member."})
        if witness.pk in drawers | {by.pk}:
            raise ValidationError(
                {"witness": "The witness must be someone other than the person who drew or "
                 "wastes the drug."}
            )  # fmt: skip
        if not witness.is_active or not witness.has_role(*HANDLERS):
            raise ValidationError({"witness": "The witness must be a nurse or a physician."})
        require_site(witness, location, "witness waste there")
    occurred_at, day = _when(location, occurred_at)
    common = {"location": location, "order": order, "by": by, "occurred_at": occurred_at,
              "business_date": day}  # fmt: skip
    saved = [DrugLogEntry(kind=EntryKind.ADMINISTERED, mg=_cents(administered), **common)]
    if wasted > 0:
        saved.append(
            DrugLogEntry(kind=EntryKind.WASTED, mg=_cents(wasted), witness=witness, **common)
        )
    for entry in saved:
        entry.full_clean()
    if not write:
        return saved if wasted > 0 else []
    for entry in saved:
        entry.save()
    return saved


@transaction.atomic
def drug_log_adjust(
    *, lot: Lot, ml: Decimal, reason: str, by: User, occurred_at=None
) -> DrugLogEntry:
    """A reconciliation adjustment: ``ml`` added (positive) or removed (negative), with the
    reason (breakage, a count found short after investigation...)."""
    require_role(by, *ADJUSTERS, doing="adjust the controlled-substance log")
    if isinstance(ml, float) or not isinstance(ml, (Decimal, int)) or ml == 0:
        raise ValidationError({"ml": "Enter the mL added (positive) or removed (negative)."})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the stock is adjusted."})
    require_site(by, lot.location, "adjust stock there")
    _lock_site(lot.location)
    lot = _lock_lot(lot)
    occurred_at, day = _when(lot.location, occurred_at)
    return _stock_entry(
        lot=lot, kind=EntryKind.ADJUSTMENT, change_ml=_cents(Decimal(ml)), by=by,
        reason=reason, occurred_at=occurred_at, business_date=day,
    )  # fmt: skip
