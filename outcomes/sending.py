"""Sending a link through the reminder outbox, and the sweep that sends due measures.

A link goes out as two ordinary ``OutboundMessage`` rows (SMS and email) of kind
``measures``, so the patient's consent per channel, STOP and quiet hours apply exactly as
to a visit reminder, and the front desk sees them on the delivery dashboard. The outbox
asks this module for the words when it sends a row (``render``, in the link's language,
the token rebuilt from the link's id) and whether the row is still wanted (the link still
open).

The sweep (``send_due_links``, every 15 minutes) makes and sends a link for each course
with measures open now and no open link, once per due set (``PatientLink.due_key``), so a
link that expired unanswered is not followed by the same link every three days; and a new
link for a patient who asked for one from a closed link.
"""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from scheduling.models import Course, CourseStatus, MessageChannel, OutboundMessage
from scheduling.reminders.rendering import sms_safe

from .models import PatientLink
from .selectors import due_measures_of
from .services import link_create
from .services.links import due_key, open_items
from .tokens import link_url

logger = logging.getLogger(__name__)
# Courses whose follow-up measures may still fall due (the schedule's latest is 90 days
# after the last infusion, answerable for two weeks more).
FOLLOW_UP_HORIZON = datetime.timedelta(days=400)


def _link_of(message: OutboundMessage) -> PatientLink:
    return (
        PatientLink.objects.select_related("course__location")
        .filter(messages__message_id=message.pk)
        .get()
    )


def render(message: OutboundMessage) -> tuple[str, str]:
    """The message in the link's language; the SMS names no drug and no diagnosis."""
    link = _link_of(message)
    location = link.course.location
    with translation.override(link.language), timezone.override(location.zone):
        until = date_format(timezone.localtime(link.expires_at), "M j, g:i A")
        words = {"clinic": location.name, "phone": location.phone, "until": until}
        if message.channel == MessageChannel.SMS:
            text = sms_safe(
                _(
                    "%(clinic)s: please answer a few questions for your care team before "
                    "%(until)s. Reply STOP to opt out."
                )
                % words
            )
            return "", f"{text} {link_url(link)}"
        subject = _("A few questions from your clinic")
        body = _(
            "Hello,\n\nYour care team at %(clinic)s asks you to answer a few short "
            "questions. It takes about 5 minutes. Open this link on your phone or computer; "
            "it asks for your date of birth first:\n\n%(url)s\n\nThe link works until "
            "%(until)s. Questions? Call us on %(phone)s.\n\n%(clinic)s"
        ) % {**words, "url": link_url(link)}
        return subject, body


def still_wanted(message: OutboundMessage) -> str:
    """The link, not the visit it was queued on, decides: a rescheduled or cancelled visit
    leaves the message alone (``cancel_pending``); a cancelled course stops it."""
    link = _link_of(message)
    if link.course.status in (CourseStatus.CANCELLED, CourseStatus.ABANDONED):
        return f"The course is {link.course.get_status_display().lower()}"
    state = link.state()
    return "" if state == "live" else f"The measures link is {state}"


def _courses_to_sweep(now: datetime.datetime):
    return Course.objects.exclude(
        status__in=[CourseStatus.CANCELLED, CourseStatus.ABANDONED]
    ).filter(booked_at__gte=now - FOLLOW_UP_HORIZON)


def send_due_links(now: datetime.datetime | None = None) -> int:
    """Make and queue the links that are due now; safe to run twice (each course is decided
    under its row lock in ``link_create``'s transaction). Returns how many were sent."""
    now = now or timezone.now()
    courses = list(_courses_to_sweep(now).select_related("patient"))
    due = due_measures_of(courses)
    sent_keys = set(
        PatientLink.objects.filter(course__in=courses).values_list("course_id", "due_key")
    )
    live = set(PatientLink.objects.live(now).values_list("course_id", flat=True))
    sent = 0
    for course in courses:
        if course.pk in live:
            continue
        if not any(d.state(now) == "open" for d in due[course.pk]):
            continue
        key = due_key(course, open_items(course, now))
        if (course.pk, key) in sent_keys:
            continue
        sent += _send(course)
    for asked in PatientLink.objects.filter(
        new_link_requested_at__isnull=False, new_link_request_handled_at__isnull=True
    ).select_related("course"):
        sent += _send(asked.course, handled=asked)
    return sent


def _send(course: Course, handled: PatientLink | None = None) -> int:
    if handled is not None:  # answered once, whatever comes of it
        PatientLink.objects.filter(pk=handled.pk).update(new_link_request_handled_at=timezone.now())
    try:
        with transaction.atomic():
            if PatientLink.objects.live().filter(course=course).exists():
                return 0
            link_create(course=course, by=None)
            return 1
    except ValidationError as refused:  # nothing open any more
        logger.info("No link for course %s: %s", course.pk, refused.messages)
        return 0
