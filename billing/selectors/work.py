"""Billing's counts on the front desk's home (registered in scheduling.hooks.desk_work)."""

from django.urls import reverse

from clinic.models import User
from clinic.worklist import WorkItem

from .coverage import checks_due_for


def desk_money_work(user: User) -> list[WorkItem]:
    return [
        WorkItem("benefits_checks_due", "Benefits to check before a course",
                 checks_due_for(user).count(), reverse("billing:checks_due")),
    ]  # fmt: skip
