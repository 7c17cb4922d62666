"""The front desk's pipeline of consultation requests: stage, time in it, attempts, the
consultation booked, and what is overdue (not contacted within 1 business day).

Time is computed by the database: "in this stage since" is the latest stage-history row
(the request's own time for requests older than the history), and the time each stage
lasted is the gap to the next row (``lead()`` over the history)."""

import datetime

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Now
from django.utils import timezone

from clinic.access import locations_for
from clinic.business_days import overdue_before
from clinic.models import Location, User
from patients.models import (
    OPEN_STAGES,
    ConsultationRequest,
    ConsultationStageChange,
    ContactAttempt,
    Stage,
)
from patients.selectors import consultation_requests_for

from ..closures import closed_dates_between
from ..models import Consultation, ConsultationStatus

CLOSED_DAYS_LOOKBACK = datetime.timedelta(days=31)
FINISHED_SHOWN_FOR = datetime.timedelta(days=30)  # lost or first infusion booked


def overdue_condition(sites: list[Location], now: datetime.datetime | None = None) -> Q:
    """New (never contacted) requests made before their site's overdue boundary: each site
    has its own closed days, so its own boundary. Two small queries per site."""
    now = now or timezone.now()
    condition = Q(pk__in=[])
    for site in sites:
        today = site.today(now)
        closed = {c.date for c in closed_dates_between(site, today - CLOSED_DAYS_LOOKBACK, today)}
        boundary, _ = site.day_bounds(overdue_before(today, closed))
        condition |= Q(preferred_location=site, created_at__lt=boundary)
    return Q(stage=Stage.NEW) & condition


def overdue_requests_for(user: User, now: datetime.datetime | None = None):
    sites = list(locations_for(user))
    return consultation_requests_for(user).filter(overdue_condition(sites, now))


def pipeline_for(
    user: User,
    *,
    location: Location | None = None,
    source: str = "",
    overdue_only: bool = False,
    now: datetime.datetime | None = None,
) -> QuerySet[ConsultationRequest]:
    """The user's requests (open stages and the last 30 days of finished ones), each with
    ``entered_stage_at``, ``in_stage`` (an interval), ``attempt_count``, ``last_outcome``,
    ``consultation_id`` and ``consultation_at`` (the booked consultation) and ``is_overdue``."""
    now = now or timezone.now()
    sites = [location] if location else list(locations_for(user))
    requests = consultation_requests_for(user).filter(preferred_location__in=sites)
    if source:
        requests = requests.filter(source=source)
    overdue = overdue_condition(sites, now)
    if overdue_only:
        requests = requests.filter(overdue)
    latest_move = ConsultationStageChange.objects.filter(request=OuterRef("pk")).order_by(
        "-changed_at", "-pk"
    )
    last_attempt = ContactAttempt.objects.filter(request=OuterRef("pk")).order_by(
        "-attempted_at", "-pk"
    )
    attempts = (
        ContactAttempt.objects.filter(request=OuterRef("pk"))
        .order_by()
        .values("request")
        .annotate(n=Count("pk"))
        .values("n")
    )
    booked = Consultation.objects.filter(
        request=OuterRef("pk"), status=ConsultationStatus.BOOKED
    ).order_by("-starts_at")
    return (
        requests.select_related("preferred_location", "patient")
        .annotate(
            entered_stage_at=Coalesce(
                Subquery(latest_move.values("changed_at")[:1]), F("created_at")
            ),
            in_stage=ExpressionWrapper(Now() - F("entered_stage_at"), DurationField()),
            attempt_count=Coalesce(Subquery(attempts), Value(0)),
            last_outcome=Subquery(last_attempt.values("outcome")[:1]),
            consultation_id=Subquery(booked.values("pk")[:1]),
            consultation_at=Subquery(booked.values("starts_at")[:1]),
            consultation_mode=Subquery(booked.values("mode")[:1]),
            is_overdue=Case(
                When(overdue, then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
        )  # fmt: skip
        .filter(Q(stage__in=OPEN_STAGES) | Q(entered_stage_at__gte=now - FINISHED_SHOWN_FOR))
        .order_by("created_at")
    )


def consultations_for(user: User) -> QuerySet[Consultation]:
    return (
        Consultation.objects.filter(location__in=locations_for(user))
        .select_related("physician", "booked_by")
        .prefetch_related("status_changes__changed_by")
        .order_by("starts_at", "pk")
    )
