"""Writes about prices and Good Faith Estimates. Clinic admins publish a site's price list
(a new version from a day, never a change to the old one); the front desk issues, updates
and gives estimates to self-pay patients."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.access import locations_for, require_role
from clinic.errors import ConflictError
from clinic.models import Location, User
from clinic.roles import ADMINS, DESK
from patients.models import Patient
from scheduling.models import ACTIVE_STATUSES, AppointmentStatus, Course

from ..business_days import estimate_due_by
from ..models import (
    CENT,
    DEFAULT_CODES,
    PACKAGE_SIZES,
    DeliveryMethod,
    EstimateDelivery,
    EstimateLine,
    Funding,
    GoodFaithEstimate,
    PriceItem,
    PriceKind,
    PriceList,
    SiteBilling,
)
from ..selectors.coverage import current_funding
from ..selectors.prices import closed_days, price_list_in_force

PRICE_EDITORS = ADMINS
ESTIMATORS = DESK
REQUIRED = ((PriceKind.CONSULTATION, 0), (PriceKind.INFUSION, 1))


def price_key(kind: str, infusions: int) -> str:
    """The form and API field of one price: ``infusion``, ``package_8``..."""
    return f"package_{infusions}" if kind == PriceKind.PACKAGE else PriceKind(kind).value


PRICE_SLOTS = [
    (PriceKind.CONSULTATION, 0), (PriceKind.INFUSION, 1), (PriceKind.BOOSTER, 1),
    *[(PriceKind.PACKAGE, n) for n in PACKAGE_SIZES],
]  # fmt: skip


@transaction.atomic
def price_list_publish(
    *,
    location: Location,
    effective_from: datetime.date,
    prices_usd: dict[str, Decimal | None],
    by: User,
    note: str = "",
) -> PriceList:
    """A new version of the site's prices from ``effective_from`` (today or later: what was
    sold under the old prices keeps them). ``prices_usd`` by ``price_key``; consultation and
    single infusion are required, booster and packages optional."""
    require_role(by, *PRICE_EDITORS, doing="change prices")
    if not locations_for(by).filter(pk=location.pk).exists():
        raise ValidationError({"location": "This site is not one of yours."})
    errors = {}
    if effective_from < location.today():
        errors["effective_from"] = "Prices cannot start in the past; start them today or later."
    elif PriceList.objects.filter(location=location, effective_from=effective_from).exists():
        errors["effective_from"] = "This site already has prices from that day."
    for kind, infusions in PRICE_SLOTS:
        key = price_key(kind, infusions)
        price = prices_usd.get(key)
        if price is None and (kind, infusions) in REQUIRED:
            errors[key] = "This price is required."
        elif price is not None and price <= 0:
            errors[key] = "A price is more than zero."
        elif price is not None and price != price.quantize(CENT):
            errors[key] = "Give the price in dollars and cents."
    if errors:
        raise ValidationError(errors)
    price_list = PriceList(location=location, effective_from=effective_from, note=note.strip(),
                           created_by=by)  # fmt: skip
    price_list.full_clean()
    price_list.save()
    for kind, infusions in PRICE_SLOTS:
        price = prices_usd.get(price_key(kind, infusions))
        if price is not None:
            item = PriceItem(price_list=price_list, kind=kind, infusions=infusions,
                             price_usd=price, codes=DEFAULT_CODES[kind])  # fmt: skip
            item.full_clean()
            item.save()
    return price_list


def _lines(price_list: PriceList, infusions: int, consultation: bool) -> list[EstimateLine]:
    lines = []
    if consultation:
        item = price_list.item(PriceKind.CONSULTATION)
        lines.append(_line(item, "Consultation with the physician (new patient)", 1))
    package = price_list.item(PriceKind.PACKAGE, infusions)
    if package is not None:
        lines.append(_line(package, f"Course package: {infusions} IV ketamine infusions", 1))
    else:
        single = price_list.item(PriceKind.INFUSION)
        lines.append(_line(single, "IV ketamine infusion (about 40 minutes), each", infusions))
    return lines


def _line(item: PriceItem, description: str, quantity: int) -> EstimateLine:
    return EstimateLine(
        price_item=item, description=description, codes=item.codes, quantity=quantity,
        unit_price_usd=item.price_usd, amount_usd=item.price_usd * quantity,
    )  # fmt: skip


def _first_service_on(course: Course | None) -> datetime.date | None:
    if course is None:
        return None
    first = course.appointments.filter(status__in=ACTIVE_STATUSES).order_by("starts_at").first()
    return course.location.date_of(first.starts_at) if first else None


def course_infusions(course: Course) -> int:
    """The infusions a course's estimate covers: its sessions that are not cancelled (a
    no-show still counts: it may be charged, as ``reissue`` counts them), or the planned
    count before any is booked."""
    sessions = course.appointments.exclude(status=AppointmentStatus.CANCELLED).count()
    return sessions or course.planned_infusions


def _diagnoses(patient: Patient) -> str:
    intake = patient.intakes.order_by("-recorded_at").first()
    return intake.diagnosis_code if intake else "M79.7"


@transaction.atomic
def estimate_issue(
    *,
    patient: Patient,
    by: User,
    course: Course | None = None,
    infusions: int | None = None,
    consultation: bool = False,
    supersedes: GoodFaithEstimate | None = None,
    reason: str = "",
) -> GoodFaithEstimate:
    """A Good Faith Estimate for a self-pay patient: for a booked ``course`` (its sessions
    not cancelled, ``course_infusions``; due by the business-day rule from the day it was
    booked), or on the patient's request (``infusions``; due in 3 business days). With
    ``supersedes``: the updated estimate replacing it, with the reason."""
    require_role(by, *ESTIMATORS, doing="issue Good Faith Estimates")
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    location = course.location if course else patient.home_location
    if not locations_for(by).filter(pk=location.pk).exists():
        raise ValidationError({"patient": "This patient is not one of your sites'."})
    if current_funding(patient) != Funding.SELF_PAY:
        raise ValidationError(
            {"patient": "A Good Faith Estimate is for a self-pay or uninsured patient."}
        )
    if course is not None and course.patient_id != patient.pk:
        raise ValidationError({"course": "This course is not the patient's."})
    infusions = infusions or (course_infusions(course) if course else None)
    if not infusions or infusions < 1:
        raise ValidationError({"infusions": "Give the number of infusions to estimate."})
    today = location.today()
    price_list = price_list_in_force(location, today)
    site = SiteBilling.objects.filter(location=location).first()
    if price_list is None or price_list.item(PriceKind.INFUSION) is None:
        raise ValidationError({"__all__": "The site has no price list in force yet."})
    if site is None:
        raise ValidationError({"__all__": "The site's NPI and TIN are not set up yet."})
    if supersedes is not None:
        if GoodFaithEstimate.objects.filter(supersedes=supersedes).exists():
            raise ConflictError({"estimate": "This estimate was already updated."})
        if not reason.strip():
            raise ValidationError({"change_reason": "Say what changed."})
    scheduled_on = location.date_of(course.booked_at) if course else today
    first_on = _first_service_on(course)
    closed = closed_days(location, scheduled_on, (first_on or today) + datetime.timedelta(60))
    lines = _lines(price_list, infusions, consultation)
    estimate = GoodFaithEstimate(
        patient=patient, location=location, course=course, price_list=price_list,
        requested=course is None, scheduled_on=scheduled_on, first_service_on=first_on,
        due_by=estimate_due_by(scheduled_on, first_on, closed, requested=course is None),
        practice_name=site.practice_name, practice_address=site.practice_address,
        npi=site.npi, tin=site.tin, diagnosis_codes=_diagnoses(patient),
        total_usd=sum((line.amount_usd for line in lines), Decimal("0.00")),
        supersedes=supersedes, change_reason=reason.strip() if supersedes else "",
        issued_by=by,
    )  # fmt: skip
    estimate.full_clean()
    estimate.save()
    for line in lines:
        line.estimate = estimate
        line.full_clean()
        line.save()
    return estimate


@transaction.atomic
def estimate_deliver(*, estimate: GoodFaithEstimate, method: str, by: User) -> EstimateDelivery:
    """Record that the patient was given the estimate: printed and handed over, emailed (the
    PDF attached, sent after the commit to the patient's address on file) or through a
    patient link (``services.documents``, which logs the issue too)."""
    from .documents import document_issue

    require_role(by, *ESTIMATORS, doing="give Good Faith Estimates")
    estimate = GoodFaithEstimate.objects.select_related("patient").get(pk=estimate.pk)
    if GoodFaithEstimate.objects.filter(supersedes=estimate).exists():
        raise ConflictError({"estimate": "This estimate was replaced; give the updated one."})
    if method in (DeliveryMethod.EMAIL, DeliveryMethod.LINK):
        document_issue(by=by, method=method, estimate=estimate)
        return estimate.deliveries.latest("delivered_at", "pk")
    delivery = EstimateDelivery(estimate=estimate, method=method, delivered_by=by)
    delivery.full_clean()
    delivery.save()
    return delivery


DISPUTE_NOTICE = (
    "You have the right to receive a Good Faith Estimate for the total expected cost of any "
    "items or services you are not paying for with insurance. If you receive a bill that is "
    "at least $400 more than this estimate, you can dispute the bill through the "
    "patient-provider dispute resolution process, within 120 calendar days of the bill's "
    "date. Keep a copy of this estimate. For questions or more information, visit "
    "www.cms.gov/nosurprises or call 1-800-985-3059. This estimate is not a contract and "
    "does not require you to obtain the items or services listed."
)


def estimate_for_booked_course(*, course: Course, by: User) -> GoodFaithEstimate | None:
    """scheduling.hooks.course_booked: a self-pay patient's new course gets its estimate at
    once when the site has prices and billing details; otherwise it waits on the desk's
    list of estimates to prepare (the booking never fails for it)."""
    location = course.location
    if current_funding(course.patient) != Funding.SELF_PAY or not by.may(*ESTIMATORS):
        return None
    if not SiteBilling.objects.filter(location=location).exists():
        return None
    price_list = price_list_in_force(location, location.today())
    if price_list is None or price_list.item(PriceKind.INFUSION) is None:
        return None
    return estimate_issue(patient=course.patient, by=by, course=course)
