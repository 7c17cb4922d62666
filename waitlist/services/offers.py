"""Offering a freed chair to waiting patients: several at once, first to accept gets it.

An offer (``WaitlistOffer``) is one freed session's time, chair and nurse; each patient it
goes to is an ``OfferRecipient`` with their own signed link, sent through the reminder
outbox (``waitlist.sending``). Only patients who fit are offered it (``offer_candidates``:
the waitlist's own fit, the course's gap and window, screening, clearance, escort).

Accepting locks the offer row first, so two patients accepting in the same second are
served one after the other: the first is moved in through ``waitlist_fill`` (which moves
the session with ``appointment_reschedule``, every booking rule checked again), the second
finds the offer accepted and is told the time has been taken; so are the others, by
message. A rule that fails at accept time says why and books nothing; the offer stays open
for the others.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.access import locations_for, require_role
from clinic.errors import ConflictError
from clinic.languages import prefers_spanish
from clinic.models import User
from clinic.roles import DESK
from clinic.transitions import NEW
from patients.selectors import booking_blockers
from scheduling.models import Appointment, AppointmentStatusChange

from .. import sending
from ..models import (
    OFFER_ALLOWED,
    OfferAnswer,
    OfferLanguage,
    OfferPurpose,
    OfferRecipient,
    OfferStatus,
    OfferStatusChange,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistStatus,
    Wish,
)
from ..selectors import chair_still_free, is_freed_ahead, offer_candidates
from .entries import waitlist_fill

logger = logging.getLogger(__name__)
OS = OfferStatus
TAKEN = "This time has been taken."


def offer_language(preferred_language: str) -> str:
    """The patient's free-text preferred language ("Spanish", "Español", "es"...)."""
    return OfferLanguage.SPANISH if prefers_spanish(preferred_language) else OfferLanguage.ENGLISH


def _history(offer, from_status, to_status, *, by=None, recipient=None, reason="") -> None:
    OfferStatusChange.objects.create(
        offer=offer, recipient=recipient, from_status=from_status, to_status=to_status,
        changed_by=by, reason=reason[:300],
    )  # fmt: skip


def _move(offer: WaitlistOffer, to_status: str, *, by=None, reason="") -> None:
    from_status = OFFER_ALLOWED.check(offer, to_status)
    offer.status = to_status
    offer.save(update_fields=["status"])
    _history(offer, from_status, to_status, by=by, reason=reason)


def _tell_gone(offer: WaitlistOffer) -> None:
    """Every recipient still waiting for an answer hears that the time is gone."""
    for recipient in offer.recipients.filter(answer=OfferAnswer.WAITING).select_related("entry"):
        sending.queue(recipient, OfferPurpose.GONE)
        _history(offer, offer.status, offer.status, recipient=recipient, reason="Told it is gone")


EXPIRED_REASON = "Nobody accepted in time"
SWEEP_BATCH = 200  # offers expired by one run of the sweep at most (the next beat goes on)


def _close_expired(freed: Appointment) -> None:
    now = timezone.now()
    for offer in WaitlistOffer.objects.select_for_update().filter(
        freed=freed, status=OS.OPEN, expires_at__lte=now
    ):
        _move(offer, OS.EXPIRED, reason=EXPIRED_REASON)


@transaction.atomic
def offer_make(
    *,
    freed: Appointment,
    by: User,
    entries: list[WaitlistEntry] | None = None,
    automatic: bool = False,
) -> WaitlistOffer:
    """Offer the freed session's chair to ``entries`` (the desk's choice) or, with none
    named, to the first ``WAITLIST_OFFER_COUNT`` who fit. Each must be an offer candidate
    (``offer_candidates``); an open offer of the same chair gains the new recipients."""
    require_role(by, *DESK, doing="offer a freed chair from the waitlist")
    if not locations_for(by).filter(pk=freed.location_id).exists():
        raise ValidationError({"freed": "This session is not at one of your sites."})
    freed = Appointment.objects.select_for_update().select_related("location").get(pk=freed.pk)
    if not chair_still_free(freed):
        raise ValidationError(
            {"freed": "This chair is not free: the session is booked, past or filled again."}
        )
    _close_expired(freed)
    offer = WaitlistOffer.objects.select_for_update().filter(freed=freed, status=OS.OPEN).first()
    already = set(offer.recipients.values_list("entry_id", flat=True)) if offer else set()
    fitting = [e for e in offer_candidates(freed) if e.pk not in already]
    if entries is None:
        chosen = fitting[: settings.WAITLIST_OFFER_COUNT]
        if not chosen:
            raise ValidationError({"entries": "Nobody on the waitlist can take this time."})
    else:
        if not entries:
            raise ValidationError({"entries": "Choose who to offer the time to."})
        fit_ids = {e.pk for e in fitting}
        if unfit := [e for e in entries if e.pk not in fit_ids]:
            names = ", ".join(e.patient.display_name for e in unfit)
            raise ValidationError(
                {"entries": f"Cannot be offered this time (a booking rule, or already "
                 f"offered): {names}."}
            )  # fmt: skip
        chosen = [e for e in fitting if e.pk in {x.pk for x in entries}]
    if offer is None:
        now = timezone.now()
        expires_at = min(
            now + datetime.timedelta(hours=settings.WAITLIST_OFFER_HOURS), freed.starts_at
        )
        offer = WaitlistOffer.objects.create(
            freed=freed, location=freed.location, automatic=automatic, made_by=by,
            expires_at=expires_at, status=OS.OPEN,
        )  # fmt: skip
        how = "Offered automatically when the chair was freed" if automatic else "Offered"
        _history(offer, OFFER_ALLOWED.check(NEW, OS.OPEN), OS.OPEN, by=by, reason=how)
    for entry in chosen:
        recipient = OfferRecipient.objects.create(
            offer=offer, entry=entry, patient=entry.patient,
            language=offer_language(entry.patient.preferred_language),
        )  # fmt: skip
        sending.queue(recipient, OfferPurpose.OFFER)
        _history(offer, OS.OPEN, OS.OPEN, by=by, recipient=recipient, reason="Sent")
    return offer


@transaction.atomic
def offer_withdraw(*, offer: WaitlistOffer, by: User, reason: str) -> WaitlistOffer:
    """Stop an open offer (its links stop working); those not answered hear it is gone."""
    require_role(by, *DESK, doing="withdraw a waitlist offer")
    offer = WaitlistOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.status != OS.OPEN:
        raise ConflictError(
            {"status": f"This offer is already {offer.get_status_display().lower()}."}
        )
    if not reason.strip():
        raise ValidationError({"reason": "Say why the offer is withdrawn."})
    _move(offer, OS.WITHDRAWN, by=by, reason=reason.strip())
    _tell_gone(offer)
    return offer


def offers_close_for(freed: Appointment, *, by: User | None, reason: str) -> int:
    """The chair was filled another way (the desk's fill page): its open offers are gone and
    their waiting recipients are told. Inside the caller's transaction."""
    closed = 0
    for offer in WaitlistOffer.objects.select_for_update().filter(freed=freed, status=OS.OPEN):
        _move(offer, OS.GONE, by=by, reason=reason)
        _tell_gone(offer)
        closed += 1
    return closed


def _locked_recipient(recipient: OfferRecipient) -> OfferRecipient:
    return (
        OfferRecipient.objects.select_for_update(of=("self",))
        .select_related("patient", "entry__appointment", "offer__freed__chair")
        .get(pk=recipient.pk)
    )


def _answerable(recipient: OfferRecipient) -> None:
    if recipient.answer == OfferAnswer.ACCEPTED:
        raise ValidationError({"answer": "You already accepted this time."}, code="accepted")
    if recipient.answer != OfferAnswer.WAITING:
        raise ValidationError({"answer": "You already answered this offer."}, code="answered")


def _gone(offer: WaitlistOffer) -> ConflictError:
    if offer.state() == OS.EXPIRED:
        return ConflictError({"offer": "This offer has expired."})
    return ConflictError({"offer": TAKEN})


def offer_accept(*, recipient: OfferRecipient) -> OfferRecipient:
    """The patient accepts through their link (the date of birth proved them). Exactly one
    recipient of an offer wins: the offer row is locked first. ConflictError: the time is
    gone (taken, expired, withdrawn); ValidationError: a booking rule refuses it now, with
    the reason; nothing is booked either way."""
    with transaction.atomic():
        offer = WaitlistOffer.objects.select_for_update().get(pk=recipient.offer_id)
        recipient = _locked_recipient(recipient)
        _answerable(recipient)
        if offer.state() != OS.OPEN:
            if offer.status == OS.ACCEPTED:  # someone else was first: recorded, then refused
                recipient.answer, recipient.answered_at = OfferAnswer.TOO_LATE, timezone.now()
                recipient.save(update_fields=["answer", "answered_at"])
                _history(offer, offer.status, offer.status, recipient=recipient,
                         reason="Accepted too late: already taken")  # fmt: skip
            gone = _gone(offer)
        else:
            gone = _accept_open(offer, recipient)
    if gone is not None:
        raise gone
    return recipient


def _accept_open(offer: WaitlistOffer, recipient: OfferRecipient) -> ConflictError | None:
    entry, freed = recipient.entry, offer.freed
    if entry.status != WaitlistStatus.ACTIVE:
        raise ValidationError(
            {"answer": "Your place on the waiting list has closed: please call the clinic."}
        )
    if blockers := booking_blockers(recipient.patient):
        raise ValidationError({"answer": ["We cannot move your visit now.", *blockers]})
    try:
        with transaction.atomic():
            waitlist_fill(
                entry=entry, by=offer.made_by, starts_at=freed.starts_at,
                chair=freed.chair, nurse=freed.nurse,
                reason=f"Moved earlier: the patient accepted waitlist offer {offer.pk}",
            )  # fmt: skip
    except ConflictError:  # the chair, nurse or patient was booked meanwhile
        _move(offer, OS.GONE, reason="The time was booked another way")
        _tell_gone(offer)
        return ConflictError({"offer": TAKEN})
    except PermissionDenied as refused:  # the offering user lost the desk role
        logger.warning("Offer %s cannot book in its maker's name: %s", offer.pk, refused)
        raise ValidationError(
            {"answer": "This time cannot be booked online now: please call the clinic."}
        ) from refused
    recipient.answer, recipient.answered_at = OfferAnswer.ACCEPTED, timezone.now()
    recipient.save(update_fields=["answer", "answered_at"])
    _move(offer, OS.ACCEPTED, reason="Accepted by the patient")
    _history(offer, OS.ACCEPTED, OS.ACCEPTED, recipient=recipient, reason="Accepted")
    _tell_gone(offer)
    return None


@transaction.atomic
def offer_decline(*, recipient: OfferRecipient) -> OfferRecipient:
    """No thanks: the patient keeps their booked time and stays on the waitlist."""
    offer = WaitlistOffer.objects.select_for_update().get(pk=recipient.offer_id)
    recipient = _locked_recipient(recipient)
    _answerable(recipient)
    if offer.state() != OS.OPEN:
        raise _gone(offer)
    recipient.answer, recipient.answered_at = OfferAnswer.DECLINED, timezone.now()
    recipient.save(update_fields=["answer", "answered_at"])
    _history(offer, OS.OPEN, OS.OPEN, recipient=recipient, reason="Declined")
    return recipient


@transaction.atomic
def offer_check_date_of_birth(*, recipient: OfferRecipient, date_of_birth) -> bool:
    """True when the date of birth is the patient's. Wrong ones count on the recipient row:
    PATIENT_LINK_DOB_TRIES lock the link for PATIENT_LINK_LOCK_MINUTES, like the measures
    links; PATIENT_LINK_DOB_MAX_FAILURES in all end the patient's part (declined)."""
    recipient = _locked_recipient(recipient)
    now = timezone.now()
    if recipient.answer != OfferAnswer.WAITING:
        return False
    actual = recipient.patient.date_of_birth
    if recipient.date_of_birth_matches(date_of_birth, actual=actual, now=now):
        return True
    if recipient.out_of_tries:
        recipient.answer, recipient.answered_at = OfferAnswer.DECLINED, now
        recipient.save(update_fields=["answer", "answered_at"])
        offer = recipient.offer
        _history(offer, offer.status, offer.status, recipient=recipient,
                 reason="Too many wrong dates of birth: the link no longer works")  # fmt: skip
    return False


def auto_offer(appointment: Appointment, change: str) -> None:
    """``scheduling.hooks.on_appointment_changed``: a session cancelled or missed ahead of
    time is offered at once to the first who fit, when WAITLIST_AUTO_OFFER is on. Inside the
    cancelling transaction, in a savepoint: an offer that cannot be made never refuses the
    cancel (logged)."""
    if change not in ("cancelled", "no_show") or not settings.WAITLIST_AUTO_OFFER:
        return
    waiting = WaitlistEntry.objects.active().filter(
        location=appointment.location_id, wish=Wish.MOVE_EARLIER
    )
    if not is_freed_ahead(appointment) or not waiting.exists():  # one query, usually all
        return
    if not chair_still_free(appointment):
        return
    last = (
        AppointmentStatusChange.objects.filter(appointment=appointment)
        .select_related("changed_by")
        .order_by("-changed_at", "-pk")
        .first()
    )
    if last is None:
        return
    try:
        with transaction.atomic():
            offer_make(freed=appointment, by=last.changed_by, automatic=True)
    except (ValidationError, PermissionDenied) as refused:
        logger.info("No automatic offer for session %s: %s", appointment.pk, refused)


@transaction.atomic
def waitlist_fill_freed(*, entry: WaitlistEntry, freed: Appointment, by: User) -> WaitlistEntry:
    """The desk moves a waiting patient into a freed session's time, chair and nurse (the
    fill page); the chair's open offers are then gone and their patients told."""
    filled = waitlist_fill(
        entry=entry, by=by, starts_at=freed.starts_at, chair=freed.chair, nurse=freed.nurse
    )
    offers_close_for(freed, by=by, reason="Filled by the front desk")
    return filled


def offers_expire_due(*, now: datetime.datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """The beat's sweep (``waitlist.tasks.offers_expire``): every open offer past its
    ``expires_at`` is marked expired, with its history row; then, with WAITLIST_AUTO_OFFER on,
    the chair if still free and ahead is offered to the next who fit and were not offered it
    yet (``_offer_next``). Returns how many offers it expired.

    One offer per transaction, claimed with ``SELECT ... FOR UPDATE SKIP LOCKED``: two beats
    (or a beat and a patient accepting) never wait on each other and never expire one offer
    twice; an offer a patient is accepting right now is skipped (the accept sees it expired
    anyway: ``WaitlistOffer.state``). Idempotent: a second run finds nothing open past due."""
    now = now or timezone.now()
    expired = 0
    while expired < limit:
        with transaction.atomic():
            offer = (
                WaitlistOffer.objects.select_for_update(skip_locked=True)
                .filter(status=OS.OPEN, expires_at__lte=now)
                .order_by("expires_at", "pk")
                .first()
            )
            if offer is None:
                break
            _move(offer, OS.EXPIRED, reason=EXPIRED_REASON)
            _offer_next(offer)
        expired += 1
    return expired


def _offer_next(expired: WaitlistOffer) -> None:
    """After an offer expired: its chair, if still free and ahead, goes to the next waiting
    patients who fit and never had an offer of it (automatic, in the name of the expired
    offer's maker). In a savepoint: a refusal never undoes the expiry (logged)."""
    if not settings.WAITLIST_AUTO_OFFER:
        return
    freed = Appointment.objects.select_related("location").get(pk=expired.freed_id)
    if not chair_still_free(freed):
        return
    offered = set(
        OfferRecipient.objects.filter(offer__freed=freed).values_list("entry_id", flat=True)
    )
    nxt = [e for e in offer_candidates(freed) if e.pk not in offered]
    if not nxt:
        return
    try:
        with transaction.atomic():
            offer_make(
                freed=freed, by=expired.made_by, entries=nxt[: settings.WAITLIST_OFFER_COUNT],
                automatic=True,
            )  # fmt: skip
    except (ValidationError, PermissionDenied) as refused:
        logger.info("No next offer for session %s after offer %s: %s", freed.pk, expired.pk,
                    refused)  # fmt: skip
