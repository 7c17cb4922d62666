"""Billing's counts on the front desk's home (registered in scheduling.hooks.desk_work)."""

from django.urls import reverse

from clinic.models import User
from clinic.worklist import WorkItem

from .coverage import checks_due_for
from .prices import courses_without_estimate, estimates_not_given


def desk_money_work(user: User) -> list[WorkItem]:
    owed = courses_without_estimate(user).count() + estimates_not_given(user).count()
    return [
        WorkItem("benefits_checks_due", "Benefits to check before a course",
                 checks_due_for(user).count(), reverse("billing:checks_due")),
        WorkItem("estimates_due", "Good Faith Estimates to give", owed,
                 reverse("billing:estimates")),
    ]  # fmt: skip
