"""Booking a consultation: the physician's appointment with someone who asked for one.

The same rules as a session, less the chair and the nurse: the site open for the whole
visit (hours, closed days, not in the past), the physician free (the database's exclusion
constraint), the request still before registration and with no other consultation booked.
Booking moves the request to "consultation booked"; cancelling frees the physician's time
and, as the desk chooses, sends the request back to "contacted". Each status move has its
append-only history row (``ConsultationStatusChange``), like an appointment's."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.access import locations_for, require_role
from clinic.errors import ConflictError
from clinic.models import User
from clinic.roles import DESK, Role
from clinic.transitions import NEW
from patients.models import ConsultationRequest
from patients.services import consultation_booked, consultation_cancelled

from ..models import (
    CONSULTATION_ALLOWED,
    Consultation,
    ConsultationMode,
    ConsultationStatus,
    ConsultationStatusChange,
)
from .slots import SessionTimes, local, site_problems

BOOKERS = DESK
CS = ConsultationStatus
CONSULTATION_MINUTES = 30
ALLOWED_MINUTES = (15, 30, 45, 60)


def _times(starts_at: datetime.datetime, minutes: int) -> SessionTimes:
    ends_at = starts_at + datetime.timedelta(minutes=minutes)
    return SessionTimes(starts_at, ends_at, starts_at, ends_at)


@transaction.atomic
def consultation_book(
    *,
    request: ConsultationRequest,
    location,
    physician: User,
    starts_at: datetime.datetime,
    mode: str,
    booked_by: User,
    minutes: int = CONSULTATION_MINUTES,
) -> Consultation:
    require_role(booked_by, *BOOKERS, doing="book consultations")
    if minutes not in ALLOWED_MINUTES:
        raise ValidationError({"minutes": f"A consultation lasts one of {ALLOWED_MINUTES} min."})
    if mode not in ConsultationMode.values:
        raise ValidationError({"mode": "In person or telehealth."})
    if not physician.is_active or not physician.has_role(Role.PHYSICIAN):
        raise ValidationError({"physician": f"{physician} is not an active physician."})
    if not locations_for(booked_by).filter(pk=location.pk).exists():
        raise ValidationError({"location": "You do not book at this site."})
    if not locations_for(physician).filter(pk=location.pk).exists():
        raise ValidationError({"physician": f"{physician} does not work at {location}."})
    if request.consultations.filter(status=ConsultationStatus.BOOKED).exists():
        raise ValidationError(
            {"starts_at": "This request already has a consultation booked: cancel it first."}
        )
    times = _times(starts_at, minutes)
    if problems := site_problems(location, times):
        raise ValidationError(problems)
    consultation = Consultation(
        request=request, location=location, physician=physician, mode=mode,
        starts_at=times.starts_at, ends_at=times.ends_at, booked_by=booked_by,
    )  # fmt: skip
    consultation.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            consultation.save()
    except IntegrityError as error:
        if "consultation_physician_no_overlap" in str(error):
            raise ConflictError(
                {"starts_at": f"{physician} already has a consultation then."}
            ) from error
        raise
    _record(consultation, CONSULTATION_ALLOWED.check(NEW, CS.BOOKED), CS.BOOKED, booked_by)
    when = f"{local(location, starts_at):%a %m/%d %H:%M}, {consultation.get_mode_display()}"
    consultation_booked(request=request, by=booked_by, when=f"{when} with {physician}")
    return consultation


def _record(consultation, from_status, to_status, user, reason="") -> None:
    ConsultationStatusChange.objects.create(
        consultation=consultation, from_status=from_status, to_status=to_status,
        changed_by=user, reason=reason,
    )  # fmt: skip


@transaction.atomic
def consultation_cancel(
    *,
    consultation: Consultation,
    cancelled_by: User,
    reason: str,
    back_to_contacted: bool = True,
) -> Consultation:
    """Cancel a booked consultation that has not started: the physician's time is free
    again (the exclusion constraint holds booked ones only), a history row says who, when
    and why. ``back_to_contacted``: the request goes back to "contacted" (to book again or
    close); otherwise it stays "consultation booked" (the desk will book the new time)."""
    require_role(cancelled_by, *BOOKERS, doing="cancel consultations")
    consultation = (
        Consultation.objects.select_for_update().select_related("location").get(pk=consultation.pk)
    )
    if not locations_for(cancelled_by).filter(pk=consultation.location_id).exists():
        raise ValidationError({"location": "You do not book at this site."})
    from_status = CONSULTATION_ALLOWED.check(consultation, CS.CANCELLED)
    if consultation.starts_at <= timezone.now():
        when = f"{local(consultation.location, consultation.starts_at):%a %m/%d %H:%M}"
        raise ValidationError(
            {"status": f"This consultation was at {when}: one that has started or passed "
             "cannot be cancelled."}
        )  # fmt: skip
    if not reason.strip():
        raise ValidationError({"reason": "Say why the consultation is cancelled."})
    consultation.status = CS.CANCELLED
    consultation.save(update_fields=["status"])
    _record(consultation, from_status, CS.CANCELLED, cancelled_by, reason.strip()[:300])
    if back_to_contacted:
        consultation_cancelled(
            request=consultation.request, by=cancelled_by, reason=reason.strip()[:250]
        )
    return consultation
