"""Reading prices and Good Faith Estimates: the price list in force, a user's estimates, and
the estimates the desk still owes (courses of self-pay patients with none, and estimates not
given yet), each with its deadline."""

import datetime

from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic.access import locations_for
from clinic.models import Location, User
from scheduling.closures import closed_dates_between
from scheduling.models import ACTIVE_STATUSES, Appointment, Course, CourseStatus

from ..models import EstimateDelivery, Funding, GoodFaithEstimate, PaymentChoice, PriceList


def price_list_in_force(location: Location, day: datetime.date) -> PriceList | None:
    return PriceList.objects.in_force(location, day)


def price_lists_for(user: User) -> QuerySet[PriceList]:
    return (
        PriceList.objects.filter(location__in=locations_for(user))
        .select_related("location", "created_by")
        .prefetch_related("items")
    )


def closed_days(location: Location, start: datetime.date, end: datetime.date) -> set:
    return {closed.date for closed in closed_dates_between(location, start, end)}


def estimates_for(user: User) -> QuerySet[GoodFaithEstimate]:
    return GoodFaithEstimate.objects.filter(location__in=locations_for(user)).select_related(
        "patient", "location", "course", "issued_by", "superseded_by"
    )


def _self_pay_courses(user: User, now: datetime.datetime) -> QuerySet[Course]:
    first = Appointment.objects.filter(course=OuterRef("pk"), status__in=ACTIVE_STATUSES)
    choice = PaymentChoice.objects.filter(patient=OuterRef("patient")).order_by(
        "-recorded_at", "-pk"
    )
    return (
        Course.objects.filter(
            location__in=locations_for(user),
            status__in=(CourseStatus.PLANNED, CourseStatus.ACTIVE),
        )
        .annotate(
            first_start=Subquery(first.order_by("starts_at").values("starts_at")[:1]),
            funding=Coalesce(Subquery(choice.values("funding")[:1]), F("patient__payment")),
        )
        .filter(funding=Funding.SELF_PAY, first_start__gt=now)
    )


def courses_without_estimate(user: User, now=None) -> QuerySet[Course]:
    """Courses ahead of a self-pay patient with no Good Faith Estimate; soonest first."""
    now = now or timezone.now()
    estimated = GoodFaithEstimate.objects.filter(course=OuterRef("pk"))
    return (
        _self_pay_courses(user, now)
        .exclude(Exists(estimated))
        .select_related("patient", "location")
        .order_by("first_start", "pk")
    )


def estimates_not_given(user: User) -> QuerySet[GoodFaithEstimate]:
    """Current estimates (not superseded) not delivered yet; the earliest deadline first."""
    delivered = EstimateDelivery.objects.filter(estimate=OuterRef("pk"))
    return (
        estimates_for(user)
        .filter(superseded_by__isnull=True)
        .exclude(Exists(delivered))
        .order_by(F("due_by").asc(nulls_last=True), "issued_at")
    )


def estimate_lines(estimate: GoodFaithEstimate):
    return estimate.lines.all()
