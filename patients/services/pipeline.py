"""The consultation-request pipeline: from the first contact to the first infusion.

Every stage move goes through ``_move`` (the transition table ``STAGES`` and one append-only
history row); scheduling calls ``consultation_booked`` and ``first_infusion_booked`` from its
own booking services."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.access import require_role
from clinic.models import User
from clinic.roles import DESK

from ..models import (
    BEFORE_REGISTRATION,
    STAGES,
    ConsultationRequest,
    ConsultationStageChange,
    ContactAttempt,
    Patient,
    Stage,
)
from .registration import patient_register

REGISTRARS = DESK
Source = ConsultationRequest.Source


def _move(request: ConsultationRequest, to_stage: str, by: User | None, reason: str = "") -> None:
    from_stage = STAGES.check(request.stage, to_stage)
    request.stage = to_stage
    request.save(update_fields=["stage", "closed_reason", "patient", "handled_by", "handled_at"])
    ConsultationStageChange.objects.create(
        request=request, from_stage=from_stage, to_stage=to_stage, changed_by=by, reason=reason
    )


def _locked(request: ConsultationRequest) -> ConsultationRequest:
    return ConsultationRequest.objects.select_for_update().get(pk=request.pk)


@transaction.atomic
def consultation_submit(
    *,
    name,
    phone,
    preferred_location,
    email="",
    message="",
    source: str = Source.WEBSITE,
    referred_by: str = "",
    date_of_birth: datetime.date | None = None,
    taken_by: User | None = None,
) -> ConsultationRequest:
    """A new request: from the public form (``taken_by`` None, source website) or taken by
    the front desk from a phone call or a referral (the referring clinician named)."""
    if taken_by is not None:
        require_role(taken_by, *REGISTRARS, doing="take consultation requests")
    elif source != Source.WEBSITE:
        raise ValidationError({"source": "Only the website form comes in without staff."})
    if source == Source.REFERRAL and not referred_by.strip():
        raise ValidationError({"referred_by": "Name the referring clinician."})
    request = ConsultationRequest(
        name=name, phone=phone, email=email, preferred_location=preferred_location,
        message=message, source=source, referred_by=referred_by.strip(),
        date_of_birth=date_of_birth, stage=Stage.NEW,
    )  # fmt: skip
    request.full_clean()
    request.save()
    ConsultationStageChange.objects.create(
        request=request, from_stage="", to_stage=Stage.NEW, changed_by=taken_by
    )
    return request


@transaction.atomic
def contact_attempt_record(
    *,
    request: ConsultationRequest,
    channel: str,
    outcome: str,
    recorded_by: User,
    note: str = "",
    attempted_at: datetime.datetime | None = None,
) -> ContactAttempt:
    """Record a try at reaching the requester. The first try, whatever its outcome, moves a
    new request to "contacted": the desk did its part within the day."""
    require_role(recorded_by, *REGISTRARS, doing="record contact attempts")
    request = _locked(request)
    if request.stage in (Stage.LOST, Stage.FIRST_INFUSION_BOOKED):
        raise ValidationError(f"This request is {request.get_stage_display().lower()}.")
    attempted_at = attempted_at or timezone.now()
    if attempted_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"attempted_at": "A contact attempt cannot be in the future."})
    if attempted_at < request.created_at:
        raise ValidationError({"attempted_at": "This is before the request came in."})
    attempt = ContactAttempt(
        request=request, attempted_at=attempted_at, channel=channel, outcome=outcome,
        note=note.strip(), recorded_by=recorded_by,
    )  # fmt: skip
    attempt.full_clean()
    attempt.save()
    if request.stage == Stage.NEW:
        reason = f"{attempt.get_channel_display()}: {attempt.get_outcome_display()}"
        _move(request, Stage.CONTACTED, recorded_by, reason)
    return attempt


def _lock_open_request(request: ConsultationRequest) -> ConsultationRequest:
    """The request, locked, still before registration (new, contacted, consultation booked)."""
    locked = _locked(request)
    if locked.stage not in BEFORE_REGISTRATION:
        raise ValidationError(f"This request is already {locked.get_stage_display().lower()}.")
    return locked


@transaction.atomic
def consultation_convert(
    *, request: ConsultationRequest, registered_by: User, allow_duplicate=False, **fields
) -> Patient:
    """Register the requester as a patient and move the request to "registered", together."""
    require_role(registered_by, *REGISTRARS, doing="register patients")
    request = _lock_open_request(request)
    STAGES.check(request.stage, Stage.REGISTERED)
    patient = patient_register(
        registered_by=registered_by, allow_duplicate=allow_duplicate, **fields
    )
    request.patient = patient
    request.handled_by, request.handled_at = registered_by, timezone.now()
    _move(request, Stage.REGISTERED, registered_by, f"Registered as {patient.mrn}")
    return patient


@transaction.atomic
def consultation_close(*, request: ConsultationRequest, closed_by: User, reason: str):
    """The request is declined or lost, with the reason; also after registration (the
    patient never books a course)."""
    require_role(closed_by, *REGISTRARS, doing="close consultation requests")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the request is closed."})
    request = _locked(request)
    if request.stage == Stage.LOST:
        raise ValidationError("This request is already closed (lost).")
    STAGES.check(request.stage, Stage.LOST)
    request.closed_reason = reason.strip()
    request.handled_by, request.handled_at = closed_by, timezone.now()
    _move(request, Stage.LOST, closed_by, reason.strip())
    return request


def consultation_booked(*, request: ConsultationRequest, by: User, when: str) -> None:
    """Scheduling booked the consultation (inside its transaction). A request still at
    "consultation booked" (its earlier one cancelled, the stage kept) stays there."""
    request = _lock_open_request(request)
    if request.stage != Stage.CONSULTATION_BOOKED:
        _move(request, Stage.CONSULTATION_BOOKED, by, when)


def consultation_cancelled(*, request: ConsultationRequest, by: User, reason: str) -> None:
    """Scheduling cancelled the request's consultation and the desk sends the request back
    to "contacted", to book again or close it (inside scheduling's transaction). A request
    registered or lost meanwhile keeps its stage."""
    request = _locked(request)
    if request.stage == Stage.CONSULTATION_BOOKED:
        _move(request, Stage.CONTACTED, by, f"Consultation cancelled: {reason}")


def first_infusion_booked(*, patient: Patient, by: User) -> None:
    """Scheduling booked a course: the patient's registered request, if any, reaches its
    last stage (inside course_book's transaction). A later course changes nothing."""
    for request in ConsultationRequest.objects.select_for_update().filter(
        patient=patient, stage=Stage.REGISTERED
    ):
        _move(request, Stage.FIRST_INFUSION_BOOKED, by, "First course booked")
