"""Course packages: sell one (a charge at the package price of the site's price list in
force that day, and N prepaid infusions), use one prepaid infusion per completed visit
(``charging``), give back unused infusions pro rata with a reason (a credit on the ledger).
Writes for one patient are serialised on the patient row, like the ledger's."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.access import require_role
from clinic.models import User
from patients.models import Patient

from ..models import (
    CENT,
    PACKAGE_SIZES,
    LedgerEntry,
    PackagePurchase,
    PackageRelease,
    PriceKind,
    PriceList,
)
from ..selectors.packages import infusions_left
from .ledger import (
    CASHIERS,
    CREDIT,
    _locked_patient,
    earlier_entry,
    ledger_adjust,
    ledger_charge,
    refuse_repeat,
)


@transaction.atomic
def package_sell(
    *, patient: Patient, by: User, infusions: int, form_key: str = "", confirm_repeat=True
) -> PackagePurchase:
    """A package of 6, 8, 10 or 12 infusions at the patient's home site, at the price of
    the list in force today there. The desk form sent twice sells it once (``form_key``)."""
    require_role(by, *CASHIERS, doing="sell packages")
    patient = _locked_patient(patient, by)
    if earlier := earlier_entry(form_key, patient):
        purchase = earlier.package
        purchase.replayed = True
        return purchase
    if infusions not in PACKAGE_SIZES:
        raise ValidationError({"infusions": "A package is 6, 8, 10 or 12 infusions."})
    if not confirm_repeat:  # the desk's form asks
        same = LedgerEntry.objects.filter(patient=patient, package__infusions=infusions)
        refuse_repeat(same, f"A package of {infusions} infusions")
    location = patient.home_location
    prices = PriceList.objects.in_force(location, location.today())
    item = prices.item(PriceKind.PACKAGE, infusions) if prices else None
    if item is None:
        raise ValidationError(
            {"infusions": f"{location} has no price for a package of {infusions} today."}
        )
    charge = ledger_charge(
        patient=patient, by=by, price_item=item,
        description=f"Course package of {infusions} infusions", form_key=form_key,
    )  # fmt: skip
    purchase = PackagePurchase(
        patient=patient, location=location, price_item=item, infusions=infusions,
        price_usd=item.price_usd, charge=charge, sold_by=by,
    )  # fmt: skip
    purchase.full_clean(validate_constraints=False)
    purchase.save()
    return purchase


def pro_rata_usd(purchase: PackagePurchase, infusions: int) -> Decimal:
    """What ``infusions`` of the package are worth: its price x infusions / its size, to
    the cent (half up)."""
    return (purchase.price_usd * infusions / purchase.infusions).quantize(CENT, ROUND_HALF_UP)


def release_usd(purchase: PackagePurchase, infusions: int, released: int) -> Decimal:
    """The credit for giving back ``infusions`` more when ``released`` were given back
    before: the pro rata value of all given back so far, less what was credited for the
    earlier ones. Given back one at a time, the credits add up to the same cents as all at
    once (12 of $4,900 one by one: $408.33 or $408.34 each, $4,900.00 in all)."""
    credited = sum(release.amount_usd for release in purchase.releases.all())
    return pro_rata_usd(purchase, released + infusions) - credited


@transaction.atomic
def package_release(
    *, purchase: PackagePurchase, by: User, infusions: int, reason: str, form_key: str = ""
) -> PackageRelease:
    """Give back unused prepaid infusions: a credit of their pro rata value on the ledger,
    with the reason. Money goes back to the patient as a refund of a payment, apart. The
    desk form sent twice gives back once (``form_key``, one per package)."""
    require_role(by, *CASHIERS, doing="give back package infusions")
    _locked_patient(purchase.patient, by)
    key = f"{form_key}:{purchase.pk}" if form_key else ""
    if earlier := earlier_entry(key, purchase.patient):
        release = PackageRelease.objects.get(credit=earlier)
        release.replayed = True
        return release
    counted = infusions_left(PackagePurchase.objects.filter(pk=purchase.pk)).get()
    left = counted.left
    if not reason.strip():
        raise ValidationError({"reason": "Say why the infusions are given back."})
    if isinstance(infusions, bool) or not isinstance(infusions, int) or infusions < 1:
        raise ValidationError({"infusions": "Give back at least one infusion."})
    if infusions > left:
        raise ValidationError({"infusions": f"Only {left} infusions of this package are left."})
    amount = release_usd(purchase, infusions, counted.released)
    credit = ledger_adjust(
        patient=purchase.patient, by=by, amount_usd=amount, direction=CREDIT,
        reason=f"{reason.strip()} ({infusions} unused infusions of package {purchase.pk})"[:300],
        form_key=key,
    )  # fmt: skip
    release = PackageRelease(
        purchase=purchase, infusions=infusions, amount_usd=amount, credit=credit,
        reason=reason.strip(), released_by=by,
    )  # fmt: skip
    release.full_clean(validate_constraints=False)
    release.save()
    return release
