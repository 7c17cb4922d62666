"""The waitlist's part in scheduling's pages (registered in ``apps.py``; scheduling never
imports the waitlist)."""

from django.urls import reverse
from django.utils import timezone

from clinic.worklist import WorkItem

from .selectors import candidates_for_slot, fillable_chairs_count


def fill_offer(appointment) -> list[tuple[str, str]]:
    """After a cancel: how many waiting patients could take the freed chair, and the page
    that moves one of them in."""
    count = len(candidates_for_slot(appointment))
    if not count:
        return []
    people = "1 patient on the waitlist" if count == 1 else f"{count} patients on the waitlist"
    return [
        (
            f"{people} could take this time: fill the chair",
            reverse("waitlist:fill", args=[appointment.pk]),
        )
    ]


def desk_chairs_to_fill(user) -> list[WorkItem]:
    """The front desk's home: freed chairs ahead, still free, with someone waiting to move
    earlier at that site."""
    count = fillable_chairs_count(user, timezone.now())
    return [WorkItem("chairs_to_fill", "Freed chairs to fill from the waitlist", count,
                     reverse("waitlist:site"))]  # fmt: skip
