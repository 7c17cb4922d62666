"""A patient's courses (the Courses tab of the patient page) and their calendar feed."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from clinic.access import role_required
from clinic.forms import refusal_text
from clinic.roles import ALL_STAFF

from .. import calendar
from ..models import CalendarFeed
from ..selectors import visits
from .common import BOOKERS, patient_for, to_courses_tab


@role_required(*ALL_STAFF)
def patient_courses(request, pk):
    """The tab's content, loaded into the patient page by htmx."""
    patient = patient_for(request.user, pk)
    feed = visits.live_feed(patient)
    feed_url = (
        request.build_absolute_uri(reverse("scheduling:calendar_feed", args=[feed.token]))
        if feed
        else ""
    )
    context = {
        "patient": patient,
        "courses": visits.patient_courses(patient),
        "feed": feed,
        "feed_url": feed_url,
        "booker": request.user.may(*BOOKERS),
        "changeable": visits.CHANGEABLE,
        "now": timezone.now(),  # no-show is offered once a visit's time has come
    }
    return render(request, "scheduling/patient_courses.html", context)


@role_required(*BOOKERS)
@require_POST
def feed_create(request, pk):
    patient = patient_for(request.user, pk)
    try:
        calendar.calendar_feed_create(patient=patient, created_by=request.user)
    except ValidationError as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, "Calendar link created: send it to the patient.")
    return to_courses_tab(patient)


@role_required(*BOOKERS)
@require_POST
def feed_revoke(request, pk):
    patient = patient_for(request.user, pk)
    feed = get_object_or_404(CalendarFeed, patient=patient, revoked_at=None)
    calendar.calendar_feed_revoke(feed=feed, revoked_by=request.user)
    messages.success(request, "Calendar link revoked: it no longer works.")
    return to_courses_tab(patient)


def _ics(patient, filename: str) -> HttpResponse:
    response = HttpResponse(calendar.patient_calendar(patient), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(*ALL_STAFF)
def calendar_download(request, pk):
    patient = patient_for(request.user, pk)
    return _ics(patient, f"appointments-{patient.mrn}.ics")


@never_cache
@require_GET
def calendar_feed(request, token):
    """Public by design: the secret token is the credential. 404 once revoked."""
    feed = calendar.feed_for_token(token)
    if feed is None:
        raise Http404("No such calendar.")
    return _ics(feed.patient, "appointments.ics")
