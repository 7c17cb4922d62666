"""Staff: send a course's due measures to the patient as a link, resend it, revoke it.

Buttons on the patient page's outcome measures (the Courses tab); each posts here, calls
the service and returns to the tab with the outcome in a message.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinic.access import role_required
from clinic.forms import refusal_text

from .. import services
from ..selectors import course_for, link_for
from ..services import LINK_SENDERS
from ..tokens import link_url


def _to_courses(patient_id: int):
    return redirect(reverse("patients:detail", args=[patient_id]) + "?tab=courses")


def _done(request, call, patient_id: int, verb: str):
    try:
        link = call()
    except ValidationError as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, f"Measures link {verb}: {link_url(link)}")
    return _to_courses(patient_id)


@role_required(*LINK_SENDERS)
@require_POST
def link_send(request, pk: int):
    """A new link for the course's measures open now (an open one is replaced)."""
    course = course_for(request.user, pk)
    call = lambda: services.link_create(course=course, by=request.user)  # noqa: E731
    return _done(request, call, course.patient_id, "made")


@role_required(*LINK_SENDERS)
@require_POST
def link_resend(request, pk: int):
    link = link_for(request.user, pk)
    call = lambda: services.link_resend(link=link, by=request.user)  # noqa: E731
    return _done(request, call, link.patient_id, "made again (the old one no longer works)")


@role_required(*LINK_SENDERS)
@require_POST
def link_revoke(request, pk: int):
    link = link_for(request.user, pk)
    try:
        services.link_revoke(link=link, by=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, "Measures link revoked: it no longer opens.")
    return _to_courses(link.patient_id)
