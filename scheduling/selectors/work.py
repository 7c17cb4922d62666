"""The counts of work waiting on the front desk's and the clinic admin's homes."""

import datetime

from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from clinic.access import locations_for
from clinic.models import Location, User
from clinic.worklist import WorkItem
from patients.models import Stage
from patients.selectors import consultation_requests_for

from ..hooks import desk_work
from ..models import Appointment, NurseShift
from .pipeline import overdue_requests_for
from .visits import TO_COME


def desk_work_waiting(user: User) -> list[WorkItem]:
    """The front desk's counts: requests to call back (and those overdue: not contacted
    within 1 business day), escorts to confirm for tomorrow, reminders that failed for
    today's and tomorrow's visits. A few count queries (two more per site for closed days)."""
    from ..reminders.selectors import failed_reminders_for, unconfirmed_tomorrow_for

    pipeline = reverse("scheduling:pipeline")
    return [
        WorkItem("requests_not_contacted", "Consultation requests to call back",
                 consultation_requests_for(user).filter(stage=Stage.NEW).count(), pipeline),
        WorkItem("requests_overdue", "Requests not contacted within 1 business day",
                 overdue_requests_for(user).count(), pipeline + "?overdue=1"),
        WorkItem("escorts_tomorrow", "Escorts to confirm for tomorrow",
                 unconfirmed_tomorrow_for(user).count(),
                 reverse("reminders:follow_up") + "?day=tomorrow"),
        WorkItem("failed_reminders", "Reminders that failed",
                 failed_reminders_for(user).count(), reverse("reminders:dashboard")),
        *(item for hook in desk_work for item in hook(user)),
    ]  # fmt: skip


def sites_without_shifts_next_week(user: User) -> list[Location]:
    """The user's sites open next week with no nurse shift in it: nothing can be booked."""
    start = timezone.now()
    end = start + datetime.timedelta(days=7)
    covered = (
        NurseShift.objects.overlapping(start, end)
        .filter(nurse__is_active=True, nurse__locations=F("location"))  # who can still work it
        .values("location")
    )
    return list(
        locations_for(user)
        .filter(opening_hours__isnull=False)
        .exclude(pk__in=covered)
        .distinct()
        .order_by("name")
    )


def admin_work_waiting(user: User) -> list[WorkItem]:
    """The clinic admin's counts: sites nobody can be booked at next week, and the desk's."""
    bare = sites_without_shifts_next_week(user)
    rota = reverse("scheduling:rota") + (f"?location={bare[0].pk}" if bare else "")
    return [
        WorkItem("sites_without_shifts", "Sites with no nurse shifts next week", len(bare), rota),
        *desk_work_waiting(user),
    ]


def nurse_work_left(user: User) -> list[str]:
    """``clinic.staff.left_behind``: the shifts and visits ahead that ``user`` holds at a
    site they no longer work at (or at all, once deactivated), for the clinic admin to
    give to another nurse."""
    now = timezone.now()
    shifts = NurseShift.objects.filter(nurse=user, ends_at__gt=now)
    visits = Appointment.objects.filter(
        nurse=user, ends_at__gt=now,
        status__in=TO_COME,
    )  # fmt: skip
    if user.is_active:
        sites = user.locations.values("pk")
        shifts, visits = shifts.exclude(location__in=sites), visits.exclude(location__in=sites)
    shifts_left, first = shifts.count(), visits.select_related("location").order_by("starts_at")
    first = first.first()
    if not shifts_left and first is None:
        return []
    why = "is no longer active" if not user.is_active else "no longer works at those sites"
    visits_left = visits.count()
    where = (
        f"; the first visit {first.location.local(first.starts_at):%a %m/%d/%Y %H:%M} at "
        f"{first.location}"
        if first
        else ""
    )
    return [
        f"{user} {why} but still holds {shifts_left} shift(s) and {visits_left} visit(s) "
        f"booked ahead{where}: put another nurse on the rota for those shifts and reschedule "
        "the visits to them."
    ]
