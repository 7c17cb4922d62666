"""Demo billing: each site's billing details and price list, who pays for a few patients,
and the demo's completed infusions charged. Idempotent; dev mode only (see seed_demo).

The infusions demo (run before this one) completes visits in the past days and today, when
no site has prices yet: each lands on the desk's "Charges to review". The price list is
published through the service, with the clock moved back (time-machine, like the other
demo modules) to the day of the site's first completed visit, so it is in force on every
demo visit; then each visit on the list is charged through billing's own charge service,
which now finds the price. The list is empty after seeding, and on a later day's top-up the
new visits are charged by themselves when they complete.
"""

import datetime
import zoneinfo
from decimal import Decimal

from django.utils import timezone

from clinic.models import Location, User
from patients.models import Patient
from scheduling.models import Appointment

from .models import Coverage, Funding, PaymentChoice, PriceList, SiteBilling
from .selectors.packages import charges_to_review_for
from .services.charging import charge_completed_infusion
from .services.coverage import coverage_add, payment_choice_record
from .services.prices import price_list_publish

# Fictional numbers: 10-digit NPIs (Luhn-valid with the 80840 prefix), 9-digit TINs.
SITE_BILLING = {
    "irvine": ("1234567893", "12-3456781"),
    "san-diego": ("1234567885", "12-3456782"),
    "costa-mesa": ("1234567877", "12-3456783"),
}
PRACTICE_NAME = "Demo Ketamine Infusion Centers, PC"
DEMO_NDC = "99999-0500-10"  # fictional labeler 99999: not a real product's NDC
PRICES_USD = {
    "consultation": Decimal("350.00"),
    "infusion": Decimal("495.00"),
    "booster": Decimal("450.00"),
    "package_6": Decimal("2700.00"),
    "package_8": Decimal("3500.00"),
    "package_10": Decimal("4200.00"),
    "package_12": Decimal("4900.00"),
}
PRICES_SINCE_DAYS = 30  # at least this far back, earlier when a completed visit is older
# Who pays: two patients chose to pay themselves, one pays with insurance.
SELF_PAY = [("Rachel", "Goldberg"), ("Michael", "Okoye")]
INSURED = ("James", "Whitaker")


def seed() -> list[str]:
    admin, desk = User.objects.get(username="admin"), User.objects.get(username="frontdesk")
    created = _seed_site_billing()
    created += _seed_prices(admin)
    created += _seed_who_pays(desk)
    created += _charge_reviews(desk)
    return created


def _seed_site_billing() -> list[str]:
    created = []
    for location in Location.objects.filter(code__in=SITE_BILLING).order_by("pk"):
        if SiteBilling.objects.filter(location=location).exists():
            continue
        npi, tin = SITE_BILLING[location.code]
        site = SiteBilling(
            location=location, practice_name=PRACTICE_NAME,
            practice_address=location.address, npi=npi, tin=tin, ketamine_ndc=DEMO_NDC,
        )  # fmt: skip
        site.full_clean()
        site.save()
        created.append(f"billing details of {location.name}")
    return created


def _first_visit_day(location: Location) -> datetime.date:
    """The day prices start at a site: PRICES_SINCE_DAYS ago, or the day of its first
    completed visit when that is earlier."""
    today = location.today()
    first = (
        Appointment.objects.filter(location=location, infusion_record__isnull=False)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    since = today - datetime.timedelta(days=PRICES_SINCE_DAYS)
    return min(since, location.date_of(first)) if first else since


def _seed_prices(admin: User) -> list[str]:
    import time_machine  # dev only, like the whole seed

    created = []
    for location in Location.objects.order_by("pk"):
        if PriceList.objects.filter(location=location).exists():
            continue
        day = _first_visit_day(location)
        zone = zoneinfo.ZoneInfo(location.time_zone)
        with time_machine.travel(datetime.datetime.combine(day, datetime.time(7), zone),
                                 tick=False):  # fmt: skip
            price_list_publish(
                location=location, effective_from=day, prices_usd=PRICES_USD, by=admin,
                note="Demo prices.",
            )  # fmt: skip
        created.append(f"price list of {location.name} from {day:%m/%d/%Y}")
    return created


def _patient(first: str, last: str) -> Patient | None:
    return Patient.objects.filter(legal_first_name=first, legal_last_name=last).first()


def _seed_who_pays(desk: User) -> list[str]:
    created = []
    for first, last in SELF_PAY:
        patient = _patient(first, last)
        if patient is None or PaymentChoice.objects.filter(patient=patient).exists():
            continue
        payment_choice_record(patient=patient, funding=Funding.SELF_PAY, by=desk,
                              reason="Prefers to pay the package price.")  # fmt: skip
        created.append(f"self-pay choice of {patient.display_name}")
    patient = _patient(*INSURED)
    if patient is not None and not Coverage.objects.filter(patient=patient).exists():
        coverage_add(
            patient=patient, by=desk, payer_name="Blue Shield of California",
            plan_name="PPO Silver", member_id="XEA900123456", group_number="W0051234",
            effective_from=timezone.localdate().replace(month=1, day=1),
        )  # fmt: skip
        payment_choice_record(patient=patient, funding=Funding.INSURANCE, by=desk)
        created.append(f"insurance coverage of {patient.display_name}")
    return created


def _charge_reviews(desk: User) -> list[str]:
    """The completed visits on "Charges to review" (they completed before the demo had
    prices), charged through the charge service now that a price is in force that day."""
    charged = 0
    for review in charges_to_review_for(desk).select_related("appointment__infusion_record"):
        record = getattr(review.appointment, "infusion_record", None)
        if record is not None and charge_completed_infusion(record=record, by=desk) is not None:
            charged += 1
    return [f"{charged} completed visits charged"] if charged else []
