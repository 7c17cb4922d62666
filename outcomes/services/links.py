"""Patient links: made, resent and revoked by staff (or the sweep), used by the patient.

The patient's side (date of birth, saving an answer, submitting, asking for a new link) has
no user: the signed token found the link and, past the first step, the date of birth proved
the patient. Each of those writes locks the link row, so two tabs or a double tap cannot
submit twice or slip past the throttle.
"""

import datetime
import hashlib
import json
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clinic.access import require_role
from clinic.languages import prefers_spanish
from clinic.models import User
from clinic.roles import ALL_STAFF
from infusions.services.escalation import physicians_on_duty
from patients.models import MeasureKind, OutcomeMeasure
from patients.services import measure_record_from_home
from scheduling.models import (
    Appointment,
    AppointmentStatus,
    Course,
    MessageChannel,
    MessageKind,
    OutboundMessage,
)
from scheduling.models.courses import ACTIVE_STATUSES
from scheduling.reminders.outbox import schedule_kick

from .. import questions
from ..models import LinkAnswer, LinkLanguage, LinkMessage, PatientLink
from ..schedule import CONTEXTS, SCHEDULABLE
from ..selectors import due_measures

logger = logging.getLogger(__name__)

# The front desk sends the links and chases the answers; clinicians may too.
LINK_SENDERS = ALL_STAFF
REPLACED = "Replaced by a new link"


def link_language(preferred_language: str) -> str:
    """The link's language from the patient's free-text preferred language."""
    return LinkLanguage.SPANISH if prefers_spanish(preferred_language) else LinkLanguage.ENGLISH


# A visit's infusion has started: its "after" measures may be asked (their window opens at
# the booked start; a late start, an order still unsigned, a visit not given must not be
# answered "after" before the drug ran).
STARTED = (AppointmentStatus.IN_CHAIR, AppointmentStatus.COMPLETED)


def _askable(due) -> bool:
    """Not an "after" measure of a visit whose infusion has not started yet."""
    after = CONTEXTS[due.timing] == "post_infusion" and due.appointment is not None
    return not after or due.appointment.status in STARTED


def open_items(course: Course, now: datetime.datetime) -> list[dict]:
    """The course's measures open now and not yet answered, as a link's items: an "after"
    measure once its visit's infusion has started (``_askable``)."""
    return [
        {
            "measure": due.measure,
            "timing": due.timing,
            "param": due.param,
            "infusion": due.infusion,
            "context": CONTEXTS[due.timing],
            "label": due.label,
            "appointment": due.appointment.pk if due.appointment else None,
        }
        for due in due_measures(course)
        if due.state(now) == "open" and due.measure in SCHEDULABLE and _askable(due)
    ]


def due_key(course: Course, items: list[dict]) -> str:
    wanted = [(i["measure"], i["timing"], i["param"], i["infusion"]) for i in items]
    text = json.dumps([course.pk, sorted(wanted, key=str)])
    return hashlib.sha256(text.encode()).hexdigest()


def _close_open_links(course: Course, *, by: User | None, reason: str) -> None:
    now = timezone.now()
    PatientLink.objects.filter(
        course=course, revoked_at__isnull=True, submitted_at__isnull=True
    ).update(revoked_at=now, revoked_by=by, revoke_reason=reason)


def _anchor(link: PatientLink) -> Appointment | None:
    """The visit the messages hang on in the outbox: the first due measure's, else the
    course's last session."""
    ids = [item["appointment"] for item in link.items if item.get("appointment")]
    visits = Appointment.objects.filter(course=link.course)
    found = visits.filter(pk__in=ids[:1]).first() if ids else None
    return found or visits.filter(status__in=ACTIVE_STATUSES).order_by("-starts_at").first()


def link_messages_queue(link: PatientLink) -> list[OutboundMessage]:
    """Put the link in the reminder outbox, SMS and email, due now: consent, STOP and quiet
    hours are the outbox's to apply when it sends (``outcomes.sending`` words them)."""
    appointment = _anchor(link)
    if appointment is None:
        return []
    now = timezone.now()
    queued = []
    for channel in (MessageChannel.SMS, MessageChannel.EMAIL):
        message = OutboundMessage(
            appointment=appointment, kind=MessageKind.MEASURES, channel=channel, send_at=now
        )
        message.full_clean()
        message.save()
        LinkMessage.objects.create(link=link, message=message)
        queued.append(message)
    schedule_kick()
    return queued


@transaction.atomic
def link_create(*, course: Course, by: User | None, send: bool = True) -> PatientLink:
    """A new link for the course's measures open now; an open link of the course is
    revoked first (one open link per course). ``by`` None: the sweep. ``send``: queue it in
    the reminder outbox (SMS and email) too."""
    if by is not None:
        require_role(by, *LINK_SENDERS, doing="send a patient a measures link")
    course = Course.objects.select_for_update().select_related("patient").get(pk=course.pk)
    now = timezone.now()
    items = open_items(course, now)
    if not items:
        raise ValidationError({"course": "Nothing is due for this course now: no link to send."})
    _close_open_links(course, by=by, reason=REPLACED)
    link = PatientLink(
        patient=course.patient,
        course=course,
        items=items,
        due_key=due_key(course, items),
        language=link_language(course.patient.preferred_language),
        created_by=by,
        expires_at=now + datetime.timedelta(hours=settings.PATIENT_LINK_HOURS),
    )
    link.full_clean()
    link.save()
    if send:
        link_messages_queue(link)
    return link


@transaction.atomic
def link_revoke(*, link: PatientLink, by: User, reason: str = "") -> PatientLink:
    require_role(by, *LINK_SENDERS, doing="revoke a patient's measures link")
    link = PatientLink.objects.select_for_update().get(pk=link.pk)
    if link.state() in ("submitted", "revoked"):
        raise ValidationError(f"This link is already {link.state()}.")
    link.revoked_at = timezone.now()
    link.revoked_by = by
    link.revoke_reason = (reason or "").strip()[:200] or "Revoked by staff"
    link.full_clean()
    link.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    return link


@transaction.atomic
def link_resend(*, link: PatientLink, by: User) -> PatientLink:
    """A fresh link for the same course (the measures open now); the old one stops working
    and any request for a new one from it is handled."""
    require_role(by, *LINK_SENDERS, doing="resend a patient's measures link")
    PatientLink.objects.filter(
        pk=link.pk, new_link_requested_at__isnull=False, new_link_request_handled_at__isnull=True
    ).update(new_link_request_handled_at=timezone.now())
    return link_create(course=link.course, by=by)


# --- The patient's side -------------------------------------------------------------------


def _locked(link_pk: int) -> PatientLink:
    return PatientLink.objects.select_for_update().select_related("patient").get(pk=link_pk)


def _live(link: PatientLink) -> None:
    if link.state() != "live":
        raise ValidationError(f"This link is {link.state()}.", code=link.state())


@transaction.atomic
def link_check_date_of_birth(*, link: PatientLink, date_of_birth: datetime.date | None) -> bool:
    """True when the date of birth is the patient's. A wrong one counts against the link:
    PATIENT_LINK_DOB_TRIES of them lock it for PATIENT_LINK_LOCK_MINUTES, and
    PATIENT_LINK_DOB_MAX_FAILURES in all revoke it. A locked link answers False unchecked
    (``clinic.patient_links.DateOfBirthThrottle``)."""
    link = _locked(link.pk)
    _live(link)
    now = timezone.now()
    if link.date_of_birth_matches(date_of_birth, actual=link.patient.date_of_birth, now=now):
        return True
    if link.out_of_tries:
        link.revoked_at, link.revoke_reason = now, "Too many wrong dates of birth"
        link.save(update_fields=["revoked_at", "revoke_reason"])
    return False


def _recorded_items(link: PatientLink) -> set[int]:
    return set(LinkAnswer.objects.filter(link=link).values_list("item", flat=True))


def _record_item(link: PatientLink, index: int, answers: dict) -> OutcomeMeasure:
    item = link.items[index]
    measure = measure_record_from_home(
        patient=link.patient, kind=item["measure"], answers=answers, context=item["context"]
    )
    LinkAnswer.objects.create(link=link, measure=measure, item=index)
    if measure.needs_same_day_follow_up:
        transaction.on_commit(lambda: phq9_alert_email(measure.pk))
    return measure


@transaction.atomic
def link_save_answer(*, link: PatientLink, step: int, value) -> PatientLink:
    """Keep one answer (save-and-continue). A PHQ-9 whose item 9 is above zero is recorded at
    once, not at the end: the physicians are told today even if the patient stops here."""
    link = _locked(link.pk)
    _live(link)
    found = questions.steps(link.items)
    if not 1 <= step <= len(found):
        raise ValidationError({"step": "No such question."})
    question = found[step - 1]
    if question.item in _recorded_items(link):
        raise ValidationError({"answer": "These answers have already been sent to the clinic."})
    if not questions.valid_answer(question, value):
        raise ValidationError({"answer": "Choose one of the answers."})
    if questions.unanswered_before_self_harm(link.items, link.draft, question):
        raise ValidationError({"answer": "Answer the questions before this one first."})
    link.draft = {**link.draft, question.key: value}
    link.save(update_fields=["draft"])
    if question.kind == MeasureKind.PHQ9:
        answers = questions.answers_of(link.items, link.draft)[question.item]
        if (answers[questions.PHQ9_SELF_HARM_ITEM] or 0) > 0 and None not in answers.values():
            _record_item(link, question.item, answers)
    return link


def unanswered_steps(link: PatientLink) -> list[questions.Step]:
    """Questions still without an answer (FIQR may leave one per domain; the rest must)."""
    recorded = _recorded_items(link)
    return [
        step
        for step in questions.steps(link.items)
        if step.item not in recorded and link.draft.get(step.key) is None
    ]


@transaction.atomic
def link_submit(*, link: PatientLink) -> list[OutcomeMeasure]:
    """Record every answered measure of the link through the staff path's scoring, marked
    patient-reported, and close the link. All or nothing: a measure that cannot be scored
    (a question left out) refuses the whole submission, naming the first question."""
    link = _locked(link.pk)
    _live(link)
    missing = unanswered_steps(link)
    if missing:
        first = missing[0].number
        raise ValidationError({"step": f"Question {first} is not answered yet."}, code="missing")
    recorded = _recorded_items(link)
    measures = []
    for index, answers in enumerate(questions.answers_of(link.items, link.draft)):
        if index not in recorded:
            measures.append(_record_item(link, index, answers))
    link.submitted_at = timezone.now()
    link.save(update_fields=["submitted_at"])
    return measures


@transaction.atomic
def link_request_new(*, link: PatientLink) -> PatientLink:
    """The patient, on a link that no longer works, asks the clinic for a new one: the
    front desk sees it on the patient's measures (once per link)."""
    link = _locked(link.pk)
    if link.state() == "live":
        raise ValidationError("This link still works.")
    if link.new_link_requested_at is None:
        link.new_link_requested_at = timezone.now()
        link.save(update_fields=["new_link_requested_at"])
    return link


# --- The same-day alert -------------------------------------------------------------------

ALERT_SUBJECT = "Ketamine clinic: PHQ-9 item 9 answered from home: same-day follow-up"


def phq9_alert_email(measure_pk: int) -> int:
    """Email the physicians of the course's site (no patient details: the link opens the
    follow-up page, behind the login). The alert itself is the measure: it stays on the
    physician's home until a physician records the follow-up."""
    answer = (
        LinkAnswer.objects.select_related("link__course__location", "measure")
        .filter(measure_id=measure_pk)
        .first()
    )
    if answer is None:
        return 0
    location = answer.link.course.location
    recipients = [user.email for user in physicians_on_duty(location) if user.email]
    if not recipients:
        logger.warning("PHQ-9 item 9 from home at %s: no physician email on file", location)
        return 0
    path = reverse("patients:phq9_follow_up", args=[answer.measure.patient_id, measure_pk])
    url = settings.REMINDER_LINK_BASE_URL.rstrip("/") + path
    body = (
        f"A patient of {location.name} answered PHQ-9 item 9 (thoughts of self-harm) above "
        f"zero from home. They were shown the 988 Suicide & Crisis Lifeline. Follow up today "
        f"and record it: {url}"
    )
    return send_mail(ALERT_SUBJECT, body, None, recipients, fail_silently=True)
