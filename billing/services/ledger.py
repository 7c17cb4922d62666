"""Writes to the patient's ledger: a charge, a payment, a refund of a payment, an
adjustment. Each is a new row; nothing is updated or deleted (the database refuses). Writes
for one patient are serialised on the patient row, so two refunds of one payment cannot
together give back more than was paid."""

import datetime
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from clinic.access import locations_for, require_role
from clinic.errors import ConflictError
from clinic.models import Location, User
from clinic.roles import DESK
from patients.models import Patient
from patients.selectors import patients_for
from scheduling.models import Appointment, AppointmentStatus

from ..models import (
    CENT,
    CardSettlement,
    ChargeReviewWaiver,
    EntryKind,
    LedgerEntry,
    PaymentMethod,
    PriceItem,
)
from ..selectors.closing import refuse_closed_day

CASHIERS = DESK
NEEDS_REFERENCE = (PaymentMethod.CARD_TERMINAL, PaymentMethod.CHECK)
NOT_CHARGED = (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)
# A visit is charged once its infusion has started (completing it charges it by itself): a
# charge put on a visit still to come would stay when the visit is cancelled. Paying ahead is
# a payment or a course package.
CHARGEABLE = (AppointmentStatus.IN_CHAIR, AppointmentStatus.COMPLETED)
# 13 to 19 digits, spaces or dashes between them: what a card number looks like typed.
DIGIT_RUN = re.compile(r"\d(?:[ -]?\d){12,18}")


def _locked_patient(patient: Patient, by: User) -> Patient:
    if not patients_for(by).filter(pk=patient.pk).exists():
        raise ValidationError({"patient": "This patient is not one of your sites'."})
    return Patient.objects.select_for_update().select_related("home_location").get(pk=patient.pk)


def _amount(amount_usd: Decimal | None, field: str = "amount_usd") -> Decimal:
    if amount_usd is None:
        raise ValidationError({field: "Enter the amount."})
    if amount_usd <= 0:
        raise ValidationError({field: "The amount must be more than zero."})
    if amount_usd != amount_usd.quantize(CENT):
        raise ValidationError({field: "Give the amount in dollars and cents."})
    return amount_usd.quantize(CENT)  # "1e2" typed is $100.00, never "$1E+2"


def _luhn(digits: str) -> bool:
    total = 0
    for place, digit in enumerate(int(d) for d in reversed(digits)):
        doubled = digit * 2 if place % 2 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return total % 10 == 0


def refuse_card_number(**texts: str) -> None:
    """No card number is ever stored (PCI DSS): a free-text field holding 13 to 19 digits
    that pass the card check digit is refused, naming the field."""
    for field, text in texts.items():
        for run in DIGIT_RUN.findall(text or ""):
            if _luhn(re.sub(r"[ -]", "", run)):
                raise ValidationError(
                    {field: "This looks like a card number: never write one here. Give the "
                     "terminal's reference (on its receipt) instead."}
                )  # fmt: skip


def earlier_entry(form_key: str, patient: Patient) -> LedgerEntry | None:
    """The entry this desk form already wrote (the same form sent again: the back button,
    a retry), marked ``replayed``; None for a new form. Call with the patient row locked."""
    if not form_key:
        return None
    entry = LedgerEntry.objects.filter(form_key=form_key).first()
    if entry is None:
        return None
    if entry.patient_id != patient.pk:
        raise ValidationError({"form_key": "This form was sent for another patient."})
    entry.replayed = True
    return entry


def _save(entry: LedgerEntry, form_key: str = "") -> LedgerEntry:
    entry.form_key = form_key or None
    entry.full_clean(validate_constraints=False)
    entry.save()
    return entry


# The same payment (amount, method, reference) for the patient this recently is most likely
# the same money recorded twice (the back button then Record, two desks at once): asked for.
REPEAT_WINDOW = datetime.timedelta(minutes=15)


def refuse_repeat(entries, what: str) -> None:
    """Refuse, on ``confirm_repeat``, when ``entries`` (the same kind of entry for the same
    patient) holds one recorded within ``REPEAT_WINDOW``: the desk confirms a second one."""
    earlier = (
        entries.filter(recorded_at__gte=timezone.now() - REPEAT_WINDOW)
        .select_related("recorded_by")
        .order_by("-recorded_at")
        .first()
    )
    if earlier is not None:
        when = timezone.localtime(earlier.recorded_at)
        raise ValidationError({"confirm_repeat": (
            f"{what} was already recorded at {when:%H:%M} by {earlier.recorded_by}. If this is "
            "a second one, tick the box and record again; if not, nothing more is needed."
        )})  # fmt: skip


def _payment_site(patient: Patient, by: User, location: Location | None) -> Location:
    """Where the money is taken (its drawer and day's close): the site named, one of the
    taker's, or the patient's home site."""
    if location is None:
        return patient.home_location
    if not locations_for(by).filter(pk=location.pk).exists():
        raise ValidationError({"location": "Take payments only at your own sites."})
    return location


@transaction.atomic
def ledger_charge(
    *,
    patient: Patient,
    by: User,
    price_item: PriceItem | None = None,
    amount_usd: Decimal | None = None,
    description: str = "",
    appointment: Appointment | None = None,
    form_key: str = "",
) -> LedgerEntry:
    """Charge the patient: a price list item (its price, unless ``amount_usd`` is given),
    optionally for one infusion (``appointment``: once, once it has started, never a
    cancelled one)."""
    require_role(by, *CASHIERS, doing="charge patients")
    patient = _locked_patient(patient, by)
    if earlier := earlier_entry(form_key, patient):
        return earlier
    if appointment is not None:
        appointment = Appointment.objects.select_related("location").get(pk=appointment.pk)
        if appointment.patient_id != patient.pk:
            raise ValidationError({"appointment": "This visit is not the patient's."})
        if appointment.status in NOT_CHARGED:
            raise ValidationError({"appointment": "A cancelled or missed visit is not charged."})
        if appointment.status not in CHARGEABLE:
            raise ValidationError({"appointment": (
                "This visit's infusion has not started: a visit is charged once it is given. "
                "To be paid ahead, take a payment or sell a course package."
            )})  # fmt: skip
        if LedgerEntry.objects.filter(kind=EntryKind.CHARGE, appointment=appointment).exists():
            raise ConflictError({"appointment": "This visit is already charged."})
        if ChargeReviewWaiver.objects.filter(review__appointment=appointment).exists():
            raise ConflictError(
                {"appointment": "This visit's charge was waived: it is not charged."}
            )
    if price_item is not None and amount_usd is None:
        amount_usd = price_item.price_usd
    amount = _amount(amount_usd)
    description = description.strip() or (str(price_item).split(":")[0] if price_item else "")
    if not description:
        raise ValidationError({"description": "Say what is charged."})
    refuse_card_number(description=description)
    location = appointment.location if appointment else patient.home_location
    return _save(LedgerEntry(
        patient=patient, location=location, kind=EntryKind.CHARGE, amount_usd=amount,
        description=description, price_item=price_item, appointment=appointment, recorded_by=by,
    ), form_key)  # fmt: skip


@transaction.atomic
def ledger_payment(
    *,
    patient: Patient,
    by: User,
    amount_usd: Decimal,
    method: str,
    reference: str = "",
    location: Location | None = None,
    form_key: str = "",
    confirm_repeat: bool = True,
) -> LedgerEntry:
    """A payment taken at the desk of ``location`` (one of the taker's sites; the patient's
    home site if not given): card on the external terminal (its reference), cash, check (its
    number) or HSA/FSA card. No card number is taken or stored."""
    require_role(by, *CASHIERS, doing="take payments")
    patient = _locked_patient(patient, by)
    if earlier := earlier_entry(form_key, patient):
        return earlier
    amount = _amount(amount_usd)
    if method not in PaymentMethod.values:
        raise ValidationError({"method": "Choose how the patient paid."})
    if method in NEEDS_REFERENCE and not reference.strip():
        raise ValidationError({"reference": "Enter the terminal's reference or the check number."})
    refuse_card_number(reference=reference)
    if not confirm_repeat:  # the desk's form asks (a script or the API names its own key)
        same = LedgerEntry.objects.filter(
            patient=patient, kind=EntryKind.PAYMENT, amount_usd=-amount, method=method,
            reference=reference.strip(),
        )  # fmt: skip
        refuse_repeat(same, f"A payment of ${amount} ({PaymentMethod(method).label})")
    location = _payment_site(patient, by, location)
    refuse_closed_day(location)
    return _save(LedgerEntry(
        patient=patient, location=location, kind=EntryKind.PAYMENT,
        amount_usd=-amount, method=method, reference=reference.strip(),
        description=f"Payment ({PaymentMethod(method).label})", recorded_by=by,
    ), form_key)  # fmt: skip


def refundable_usd(payment: LedgerEntry) -> Decimal:
    """What is left to refund of a payment (payments are stored negative)."""
    refunded = payment.refunds.aggregate(total=Sum("amount_usd"))["total"] or Decimal("0")
    return -payment.amount_usd - refunded


@transaction.atomic
def ledger_refund(
    *,
    payment: LedgerEntry,
    by: User,
    amount_usd: Decimal,
    reason: str,
    reference: str = "",
    form_key: str = "",
    provider_refund_id: str = "",
) -> LedgerEntry:
    """Give back part or all of a payment, the same way it was paid, with the reason. A
    payment taken through the card provider is given back there first
    (``cards.card_refund``, which passes the provider's ``provider_refund_id``)."""
    require_role(by, *CASHIERS, doing="refund payments")
    patient = _locked_patient(payment.patient, by)
    if earlier := earlier_entry(form_key, patient):
        return earlier
    payment = LedgerEntry.objects.get(pk=payment.pk)
    if payment.kind != EntryKind.PAYMENT:
        raise ValidationError({"refund_of": "Only a payment can be refunded."})
    if not provider_refund_id and CardSettlement.objects.filter(payment=payment).exists():
        raise ValidationError({"refund_of": (
            "This card payment was taken through the card provider: it is given back to the "
            "card through the provider, not only written here."
        )})  # fmt: skip
    amount = _amount(amount_usd)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the money is given back."})
    refuse_card_number(reference=reference, reason=reason)
    left = refundable_usd(payment)
    if amount > left:
        raise ValidationError({"amount_usd": f"At most ${left} of this payment is left to refund."})
    refuse_closed_day(payment.location)
    return _save(LedgerEntry(
        patient=patient, location=payment.location, kind=EntryKind.REFUND, amount_usd=amount,
        method=payment.method, reference=(provider_refund_id or reference.strip())[:60],
        refund_of=payment, reason=reason.strip(), description=f"Refund of payment {payment.pk}",
        recorded_by=by,
    ), form_key)  # fmt: skip


CREDIT, DEBIT = "credit", "debit"


@transaction.atomic
def ledger_adjust(
    *,
    patient: Patient,
    by: User,
    amount_usd: Decimal,
    direction: str,
    reason: str,
    form_key: str = "",
) -> LedgerEntry:
    """Correct the balance with a reason: a ``credit`` lowers what the patient owes (a
    courtesy discount, a charge made in error), a ``debit`` raises it."""
    require_role(by, *CASHIERS, doing="adjust balances")
    patient = _locked_patient(patient, by)
    if earlier := earlier_entry(form_key, patient):
        return earlier
    amount = _amount(amount_usd)
    if direction not in (CREDIT, DEBIT):
        raise ValidationError({"direction": "Choose credit (owes less) or debit (owes more)."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the balance is adjusted."})
    refuse_card_number(reason=reason)
    signed = -amount if direction == CREDIT else amount
    return _save(LedgerEntry(
        patient=patient, location=patient.home_location, kind=EntryKind.ADJUSTMENT,
        amount_usd=signed, reason=reason.strip(),
        description="Adjustment (credit)" if direction == CREDIT else "Adjustment (debit)",
        recorded_by=by,
    ), form_key)  # fmt: skip
