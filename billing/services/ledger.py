"""Writes to the patient's ledger: a charge, a payment, a refund of a payment, an
adjustment. Each is a new row; nothing is updated or deleted (the database refuses). Writes
for one patient are serialised on the patient row, so two refunds of one payment cannot
together give back more than was paid."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from clinic.access import require_role
from clinic.errors import ConflictError
from clinic.models import User
from clinic.roles import DESK
from patients.models import Patient
from patients.selectors import patients_for
from scheduling.models import Appointment, AppointmentStatus

from ..models import CENT, ChargeReviewWaiver, EntryKind, LedgerEntry, PaymentMethod, PriceItem
from ..selectors.closing import refuse_closed_day

CASHIERS = DESK
NEEDS_REFERENCE = (PaymentMethod.CARD_TERMINAL, PaymentMethod.CHECK)
NOT_CHARGED = (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)


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
    return amount_usd


def _save(entry: LedgerEntry) -> LedgerEntry:
    entry.full_clean(validate_constraints=False)
    entry.save()
    return entry


@transaction.atomic
def ledger_charge(
    *,
    patient: Patient,
    by: User,
    price_item: PriceItem | None = None,
    amount_usd: Decimal | None = None,
    description: str = "",
    appointment: Appointment | None = None,
) -> LedgerEntry:
    """Charge the patient: a price list item (its price, unless ``amount_usd`` is given),
    optionally for one infusion (``appointment``; once, and never a cancelled one)."""
    require_role(by, *CASHIERS, doing="charge patients")
    patient = _locked_patient(patient, by)
    if appointment is not None:
        if appointment.patient_id != patient.pk:
            raise ValidationError({"appointment": "This visit is not the patient's."})
        if appointment.status in NOT_CHARGED:
            raise ValidationError({"appointment": "A cancelled or missed visit is not charged."})
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
    location = appointment.location if appointment else patient.home_location
    return _save(LedgerEntry(
        patient=patient, location=location, kind=EntryKind.CHARGE, amount_usd=amount,
        description=description, price_item=price_item, appointment=appointment, recorded_by=by,
    ))  # fmt: skip


@transaction.atomic
def ledger_payment(
    *, patient: Patient, by: User, amount_usd: Decimal, method: str, reference: str = ""
) -> LedgerEntry:
    """A payment taken at the desk: card on the external terminal (its reference), cash,
    check (its number) or HSA/FSA card. No card number is taken or stored."""
    require_role(by, *CASHIERS, doing="take payments")
    patient = _locked_patient(patient, by)
    amount = _amount(amount_usd)
    if method not in PaymentMethod.values:
        raise ValidationError({"method": "Choose how the patient paid."})
    if method in NEEDS_REFERENCE and not reference.strip():
        raise ValidationError({"reference": "Enter the terminal's reference or the check number."})
    refuse_closed_day(patient.home_location)
    return _save(LedgerEntry(
        patient=patient, location=patient.home_location, kind=EntryKind.PAYMENT,
        amount_usd=-amount, method=method, reference=reference.strip(),
        description=f"Payment ({PaymentMethod(method).label})", recorded_by=by,
    ))  # fmt: skip


def refundable_usd(payment: LedgerEntry) -> Decimal:
    """What is left to refund of a payment (payments are stored negative)."""
    refunded = payment.refunds.aggregate(total=Sum("amount_usd"))["total"] or Decimal("0")
    return -payment.amount_usd - refunded


@transaction.atomic
def ledger_refund(
    *, payment: LedgerEntry, by: User, amount_usd: Decimal, reason: str, reference: str = ""
) -> LedgerEntry:
    """Give back part or all of a payment, the same way it was paid, with the reason."""
    require_role(by, *CASHIERS, doing="refund payments")
    patient = _locked_patient(payment.patient, by)
    payment = LedgerEntry.objects.get(pk=payment.pk)
    if payment.kind != EntryKind.PAYMENT:
        raise ValidationError({"refund_of": "Only a payment can be refunded."})
    amount = _amount(amount_usd)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the money is given back."})
    left = refundable_usd(payment)
    if amount > left:
        raise ValidationError({"amount_usd": f"At most ${left} of this payment is left to refund."})
    refuse_closed_day(payment.location)
    return _save(LedgerEntry(
        patient=patient, location=payment.location, kind=EntryKind.REFUND, amount_usd=amount,
        method=payment.method, reference=reference.strip(), refund_of=payment,
        reason=reason.strip(), description=f"Refund of payment {payment.pk}", recorded_by=by,
    ))  # fmt: skip


CREDIT, DEBIT = "credit", "debit"


@transaction.atomic
def ledger_adjust(
    *, patient: Patient, by: User, amount_usd: Decimal, direction: str, reason: str
) -> LedgerEntry:
    """Correct the balance with a reason: a ``credit`` lowers what the patient owes (a
    courtesy discount, a charge made in error), a ``debit`` raises it."""
    require_role(by, *CASHIERS, doing="adjust balances")
    patient = _locked_patient(patient, by)
    amount = _amount(amount_usd)
    if direction not in (CREDIT, DEBIT):
        raise ValidationError({"direction": "Choose credit (owes less) or debit (owes more)."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the balance is adjusted."})
    signed = -amount if direction == CREDIT else amount
    return _save(LedgerEntry(
        patient=patient, location=patient.home_location, kind=EntryKind.ADJUSTMENT,
        amount_usd=signed, reason=reason.strip(),
        description="Adjustment (credit)" if direction == CREDIT else "Adjustment (debit)",
        recorded_by=by,
    ))  # fmt: skip
