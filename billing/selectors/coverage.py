"""Reading who pays: a patient's coverages and their history, the current choice, the
benefits checks, and the courses about to start whose benefits were not checked lately."""

import datetime

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic.access import locations_for
from clinic.models import User
from patients.models import Patient
from patients.selectors import patients_for
from scheduling.models import ACTIVE_STATUSES, Appointment, Course, CourseStatus

from ..models import BenefitsCheck, Coverage, Funding, PaymentChoice, Rank

# A benefits check older than this before a new course's first session is checked again.
CHECK_FRESH_DAYS = 30
RANK_ORDER = {Rank.PRIMARY: 0, Rank.SECONDARY: 1}


def coverage_history(patient: Patient) -> QuerySet[Coverage]:
    """Every version of every coverage, newest first."""
    return patient.coverages.select_related("recorded_by", "supersedes")


def current_coverages(patient: Patient) -> list[Coverage]:
    """The coverages in force now (latest version, not ended), primary first."""
    current = Coverage.objects.current().filter(patient=patient).select_related("recorded_by")
    return sorted(current, key=lambda c: RANK_ORDER.get(c.rank, 9))


def current_funding(patient: Patient) -> str:
    choice = patient.payment_choices.order_by("-recorded_at", "-pk").first()
    return choice.funding if choice else patient.payment


def benefits_checks(patient: Patient) -> QuerySet[BenefitsCheck]:
    return patient.benefits_checks.select_related("checked_by", "coverage")


def checks_due_for(user: User, now: datetime.datetime | None = None) -> QuerySet[Course]:
    """Courses at the user's sites not started yet, for a patient paying with insurance,
    whose last benefits check is missing or older than CHECK_FRESH_DAYS before the course's
    first session; soonest first. One query, annotated with ``first_start`` and
    ``last_checked_at``."""
    now = now or timezone.now()
    first = Appointment.objects.filter(course=OuterRef("pk"), status__in=ACTIVE_STATUSES)
    last = BenefitsCheck.objects.filter(patient=OuterRef("patient")).order_by("-checked_at")
    newest_choice = PaymentChoice.objects.filter(patient=OuterRef("patient")).order_by(
        "-recorded_at", "-pk"
    )
    return (
        Course.objects.filter(location__in=locations_for(user), status=CourseStatus.PLANNED)
        .annotate(
            first_start=Subquery(first.order_by("starts_at").values("starts_at")[:1]),
            last_checked_at=Subquery(last.values("checked_at")[:1]),
            funding=Coalesce(Subquery(newest_choice.values("funding")[:1]), F("patient__payment")),
        )
        .filter(funding=Funding.INSURANCE, first_start__gt=now)
        .filter(
            Q(last_checked_at__isnull=True)
            | Q(last_checked_at__lt=F("first_start") - datetime.timedelta(days=CHECK_FRESH_DAYS))
        )
        .select_related("patient", "location")
        .order_by("first_start", "pk")
    )


def check_is_stale(patient: Patient, before: datetime.datetime) -> bool:
    """No benefits check within CHECK_FRESH_DAYS before ``before`` (a course's start)."""
    since = before - datetime.timedelta(days=CHECK_FRESH_DAYS)
    return not patient.benefits_checks.filter(checked_at__gte=since).exists()


def coverages_for(user: User) -> QuerySet[Coverage]:
    """Coverage versions of the patients the user may see."""
    return Coverage.objects.filter(patient__in=patients_for(user)).select_related(
        "patient", "patient__home_location"
    )
