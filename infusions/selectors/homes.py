"""The "work waiting" counts of each role's home, and which role's home a user sees.

Counts only (one count query each), every one scoped to the user's sites and linking to the
list where the work is done. infusions sits above scheduling and patients, so the one place
that can name every role's work is here; the front desk's and clinic admin's counts are
scheduling's."""

from django.urls import reverse

from clinic.models import User
from clinic.roles import HOME_PRECEDENCE, Role
from clinic.worklist import WorkItem
from patients.selectors import awaiting_clearance_for, open_phq9_follow_ups_for
from scheduling.hooks import physician_work
from scheduling.selectors.work import admin_work_waiting, desk_work_waiting

from ..models import Alert
from .chart import left_open_for, records_for
from .orders import unsigned_orders_for
from .timing import early_stops_awaiting_review


def open_alert_count(user: User) -> int:
    return Alert.objects.filter(record__in=records_for(user), acknowledgements__isnull=True).count()


def physician_work_waiting(user: User) -> list[WorkItem]:
    home = reverse("infusions:physician_home")
    flagged = awaiting_clearance_for(user).count() + open_phq9_follow_ups_for(user).count()
    return [
        WorkItem("unsigned_orders", "Unsigned dose orders", unsigned_orders_for(user).count(),
                 reverse("infusions:signing_queue")),
        WorkItem("flagged_patients", "Patients flagged", flagged,
                 f"{home}#awaiting-clearance"),
        WorkItem("open_alerts", "Open alerts", open_alert_count(user), f"{home}#open-alerts"),
        WorkItem("early_stops", "Early stops and visits not given to review",
                 early_stops_awaiting_review(user).count(), f"{home}#early-stops"),
        *(item for hook in physician_work for item in hook(user)),
    ]  # fmt: skip


def nurse_work_waiting(user: User) -> list[WorkItem]:
    home = reverse("infusions:nurse_home")
    return [
        WorkItem("open_alerts", "Open alerts", open_alert_count(user), f"{home}#open-alerts"),
        WorkItem("unsigned_orders", "Orders waiting for a physician",
                 unsigned_orders_for(user).count(), f"{home}#my-patients"),
        WorkItem("charts_left_open", "Charts left open from an earlier day",
                 left_open_for(user).count(), f"{home}#left-open"),
    ]  # fmt: skip


WORK_BY_ROLE = {
    Role.PHYSICIAN: physician_work_waiting,
    Role.NURSE: nurse_work_waiting,
    Role.FRONT_DESK: desk_work_waiting,
    Role.CLINIC_ADMIN: admin_work_waiting,
}


def home_role(user: User) -> Role | None:
    """The role whose home the user lands on (clinic.views.home's order)."""
    for role in HOME_PRECEDENCE:
        if user.has_role(role):
            return role
    return Role.CLINIC_ADMIN if user.is_superuser else None


def work_waiting_for(user: User) -> tuple[Role | None, list[WorkItem]]:
    role = home_role(user)
    return role, (WORK_BY_ROLE[role](user) if role else [])
