"""A course's Good Faith Estimate follows the course: when the course changes materially,
a new estimate replaces the one in force, with the reason (``scheduling.hooks``'s
``appointment_changes``, inside the same transaction as the change).

**Material** means the number of infusions the patient is expected to receive changes: a
session added (a make-up or an extra infusion booked into the course) or cancelled. The
course's infusions are its visits that are not cancelled (a no-show still counts: it may be
charged). A reschedule that only moves a time is not material, nor is a status change
(check-in, completion), nor a new price list (what was quoted keeps its prices). An estimate
is only replaced where one is in force for the course; a change by someone who may not issue
estimates, or for a patient no longer self-pay, leaves it for the desk (logged).
Cancelling a course's remaining sessions is one change: the listener is registered
``once_per_course`` (``scheduling.notify.course_changes_together``), so one estimate replaces
the one in force, naming the count it went down to."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError

from clinic.errors import ConflictError
from scheduling.models import Appointment, AppointmentStatus

from ..models import GoodFaithEstimate, PriceKind
from .prices import estimate_issue

logger = logging.getLogger(__name__)
MATERIAL_CHANGES = ("booked", "cancelled")


def estimated_infusions(estimate: GoodFaithEstimate) -> int:
    """How many infusions an estimate covers: a package's size, or single infusions."""
    total = 0
    for line in estimate.lines.select_related("price_item"):
        if line.price_item.kind == PriceKind.PACKAGE:
            total += line.price_item.infusions * line.quantity
        elif line.price_item.kind in (PriceKind.INFUSION, PriceKind.BOOSTER):
            total += line.quantity
    return total


def has_consultation(estimate: GoodFaithEstimate) -> bool:
    return estimate.lines.filter(price_item__kind=PriceKind.CONSULTATION).exists()


def reissue_on_change(appointment: Appointment, change: str) -> GoodFaithEstimate | None:
    """The listener: a new estimate when ``change`` made the course's infusions differ from
    the estimate in force. Never raises for a reason of its own (the change goes on)."""
    if change not in MATERIAL_CHANGES or appointment.course_id is None:
        return None
    course = appointment.course
    current = (
        GoodFaithEstimate.objects.filter(course=course, superseded_by__isnull=True)
        .select_related("patient")
        .order_by("-issued_at", "-pk")
        .first()
    )
    if current is None:
        return None
    sessions = course.appointments.exclude(status=AppointmentStatus.CANCELLED).count()
    before = estimated_infusions(current)
    if sessions == before or sessions == 0:
        return None
    by = appointment.status_changes.order_by("-changed_at", "-pk").first()
    moved = abs(sessions - before)
    what = f"{'an infusion' if moved == 1 else f'{moved} infusions'} " + (
        "added" if sessions > before else "cancelled"
    )
    reason = f"Course changed ({what}): {before} to {sessions} infusions"
    try:
        return estimate_issue(
            patient=current.patient, by=by.changed_by, course=course, infusions=sessions,
            consultation=has_consultation(current), supersedes=current, reason=reason,
        )  # fmt: skip
    except (ValidationError, ConflictError, PermissionDenied) as refused:
        logger.info("Estimate %s not re-issued after %s: %s", current.pk, change, refused)
        return None
