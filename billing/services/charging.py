"""The charge of a completed infusion, made by itself (``scheduling.hooks.
infusion_completed``, inside the completion's transaction): a prepaid infusion of the
patient's oldest package with some left, else the price of the site's list in force on the
visit's day (a booster's price for a single-session course after an earlier course, the
single infusion's otherwise). Once per visit: the patient row is locked and the ledger's
one-charge-per-visit and the package's one-use-per-visit constraints hold the line. No
price that day: no charge, and the visit goes on the desk's "Charges to review".

An infusion stopped early (``scheduling.hooks.infusion_stopped``, once the mg given before
the stop is charted) ran and is billable as the superbill codes it, from the charted
minutes: more than 15 minutes is an infusion (96365), charged like a completed one; 15
minutes or less has no infusion code and goes on "Charges to review" for the desk to
decide: charge it by hand, or waive it (``charge_review_waive``: not charged, with the
reason; the visit cannot be charged afterwards).

Self-pay and insured patients are charged the same list price: what insurance pays back
is not the ledger's business (the superbill carries the codes)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.access import require_role
from clinic.errors import ConflictError
from clinic.models import User
from clinic.roles import DESK
from patients.models import Patient
from scheduling.models import Appointment, Course

from ..coding import infusion_codes, infusion_minutes
from ..models import (
    ChargeReview,
    ChargeReviewWaiver,
    EntryKind,
    LedgerEntry,
    PackagePurchase,
    PackageUse,
    PriceKind,
    PriceList,
)
from ..selectors.packages import infusions_left
from .ledger import _locked_patient


def _price_kind(appointment: Appointment) -> str:
    course = appointment.course
    if course is not None and course.planned_infusions == 1:
        earlier = Course.objects.filter(
            patient_id=appointment.patient_id, booked_at__lt=course.booked_at
        ).exclude(pk=course.pk)
        if earlier.exists():
            return PriceKind.BOOSTER
    return PriceKind.INFUSION


def _review(appointment: Appointment, reason: str) -> None:
    ChargeReview.objects.get_or_create(appointment=appointment, defaults={"reason": reason})


def charge_stopped_infusion(*, record, by: User) -> LedgerEntry | PackageUse | None:
    """Charge the visit of ``record`` (stopped early, its mg given just charted) when it ran
    more than 15 minutes, as a completed one; otherwise list it on "Charges to review"."""
    if record.started_at is None or record.ended_at is None:
        return None
    minutes = infusion_minutes(record.started_at, record.ended_at)
    if infusion_codes(minutes, mg_given=record.administered_mg, ndc=""):
        note = f", stopped early after {minutes} min"
        return charge_completed_infusion(record=record, by=by, note=note)
    appointment = Appointment.objects.select_related("location").get(pk=record.appointment_id)
    with transaction.atomic():
        Patient.objects.select_for_update().get(pk=appointment.patient_id)
        done = LedgerEntry.objects.filter(kind=EntryKind.CHARGE, appointment=appointment)
        if not done.exists() and not PackageUse.objects.filter(appointment=appointment).exists():
            reason = (
                f"Stopped early after {minutes} min (15 or less: no infusion code). Charge "
                "by hand, or waive it with the reason."
            )
            _review(appointment, reason)
    return None


def charge_completed_infusion(
    *, record, by: User, note: str = ""
) -> LedgerEntry | PackageUse | None:
    """Charge the visit of ``record`` (just completed) or use a prepaid infusion; nothing
    when it is already charged or covered. Returns what was written."""
    appointment = Appointment.objects.select_related("location", "course").get(
        pk=record.appointment_id
    )
    with transaction.atomic():
        patient = Patient.objects.select_for_update().get(pk=appointment.patient_id)
        done = LedgerEntry.objects.filter(kind=EntryKind.CHARGE, appointment=appointment)
        if done.exists() or PackageUse.objects.filter(appointment=appointment).exists():
            return None
        if ChargeReviewWaiver.objects.filter(review__appointment=appointment).exists():
            return None  # the desk decided it is not charged
        package = (
            infusions_left(PackagePurchase.objects.filter(patient=patient))
            .filter(left__gt=0)
            .order_by("sold_at", "pk")
            .first()
        )
        if package is not None:
            return PackageUse.objects.create(
                purchase=package, appointment=appointment, recorded_by=by
            )
        day = appointment.location.date_of(appointment.starts_at)
        prices = PriceList.objects.in_force(appointment.location, day)
        kind = _price_kind(appointment)
        item = None
        if prices is not None:
            item = prices.item(kind, 1) or prices.item(PriceKind.INFUSION, 1)
        if item is None:
            _review(appointment, f"{appointment.location} had no infusion price on "
                    f"{day:%m/%d/%Y}{note}.")  # fmt: skip
            return None
        entry = LedgerEntry(
            patient=patient, location=appointment.location, kind=EntryKind.CHARGE,
            amount_usd=item.price_usd, price_item=item, appointment=appointment,
            description=f"{item.get_kind_display()} on {day:%m/%d/%Y}{note}", recorded_by=by,
        )  # fmt: skip
        entry.full_clean(validate_constraints=False)
        entry.save()
        return entry


@transaction.atomic
def charge_review_waive(*, review: ChargeReview, by: User, reason: str) -> ChargeReviewWaiver:
    """The desk decides a visit on "Charges to review" is not charged, with the reason: it
    leaves the list. Refused when already waived, charged or covered by a package."""
    require_role(by, *DESK, doing="waive charges")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason the visit is not charged."})
    appointment = review.appointment
    _locked_patient(appointment.patient, by)
    if ChargeReviewWaiver.objects.filter(review=review).exists():
        raise ConflictError({"review": "This visit's charge is already waived."})
    if LedgerEntry.objects.filter(kind=EntryKind.CHARGE, appointment=appointment).exists():
        raise ConflictError({"review": "This visit is already charged: it cannot be waived."})
    if PackageUse.objects.filter(appointment=appointment).exists():
        raise ConflictError({"review": "A package covers this visit: it cannot be waived."})
    waiver = ChargeReviewWaiver(review=review, reason=reason, waived_by=by)
    waiver.full_clean(validate_constraints=False)
    waiver.save()
    return waiver
