"""A course's protocol changed part-way by a physician: the later sessions' doses are
calculated under the new protocol (``Course.protocol_in_force``); the course keeps the protocol
it was booked under, and the change is an append-only row."""

from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.access import require_role
from clinic.models import User
from clinic.roles import PHYSICIANS
from protocols.models import Protocol

from ..models import Appointment, AppointmentStatus, Course, CourseProtocolChange


@transaction.atomic
def course_protocol_change(
    *, course: Course, protocol: Protocol, by: User, reason: str
) -> CourseProtocolChange:
    """Run the rest of ``course`` under ``protocol`` (physicians). Refused, writing nothing:
    the protocol in force already, a withdrawn protocol, no reason."""
    require_role(by, *PHYSICIANS, doing="change a course's protocol")
    course = Course.objects.select_for_update().get(pk=course.pk)
    current = course.protocol_in_force
    problems = {}
    if protocol.pk == current.pk:
        problems["new_protocol"] = "That is the course's protocol now; choose another."
    elif not protocol.is_active:
        problems["new_protocol"] = f"{protocol} is withdrawn; choose an active one."
    if not (reason or "").strip():
        problems["reason"] = "Say why the protocol changes."
    if problems:
        raise ValidationError(problems)
    given = Appointment.objects.filter(
        course=course, status__in=[AppointmentStatus.IN_CHAIR, AppointmentStatus.COMPLETED]
    ).count()
    change = CourseProtocolChange(
        course=course, from_protocol=current, protocol=protocol, after_infusions=given,
        reason=reason.strip(), changed_by=by,
    )  # fmt: skip
    change.full_clean()
    change.save()
    return change
