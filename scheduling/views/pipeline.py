"""The front desk's pipeline: consultation requests by stage, overdue first, and booking a
request's consultation with a physician."""

import datetime

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from clinic.access import locations_for, role_required
from clinic.forms import run_service
from patients.models import BEFORE_REGISTRATION, ConsultationRequest, Stage
from patients.selectors import open_consultation_requests_for

from .. import services
from ..forms import ConsultationCancelForm, ConsultationForm
from ..models import ConsultationStatus
from ..selectors.pipeline import consultations_for, pipeline_for
from ..services.slots import local
from .common import BOOKERS, posted

COLUMNS = [Stage.NEW, Stage.CONTACTED, Stage.CONSULTATION_BOOKED, Stage.REGISTERED,
           Stage.FIRST_INFUSION_BOOKED, Stage.LOST]  # fmt: skip


def in_words(lasted: datetime.timedelta) -> str:
    """3 d 4 h, 5 h 10 min, 12 min: how long a request has been in its stage."""
    minutes = int(lasted.total_seconds() // 60)
    days, hours = minutes // 1440, minutes % 1440 // 60
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes % 60} min" if hours else f"{minutes} min"


@role_required(*BOOKERS)
def pipeline(request):
    """Columns by stage; filters by site and source; overdue requests highlighted."""
    sites = list(locations_for(request.user))
    site = next((s for s in sites if str(s.pk) == request.GET.get("location")), None)
    source = request.GET.get("source", "")
    if source not in ConsultationRequest.Source.values:
        source = ""
    overdue_only = request.GET.get("overdue") == "1"
    rows = list(pipeline_for(request.user, location=site, source=source, overdue_only=overdue_only))
    by_stage = {stage: [] for stage in COLUMNS}
    for row in rows:
        row.in_stage_text = in_words(row.in_stage)
        by_stage[row.stage].append(row)
    context = {
        "columns": [(Stage(stage).label, stage, by_stage[stage]) for stage in COLUMNS],
        "overdue_count": sum(row.is_overdue for row in rows),
        "sites": sites,
        "site": site,
        "sources": ConsultationRequest.Source.choices,
        "source": source,
        "overdue_only": overdue_only,
        "before_registration": BEFORE_REGISTRATION,
        "here": request.get_full_path(),
    }
    return render(request, "scheduling/pipeline.html", context)


@role_required(*BOOKERS)
def consultation_book(request, pk):
    """Book the request's consultation: the site's hours, the physician free."""
    consultation_request = get_object_or_404(open_consultation_requests_for(request.user), pk=pk)
    location = consultation_request.preferred_location
    form = ConsultationForm(posted(request), location=location)
    status = 200
    if form.is_bound and form.is_valid():
        booked, status = run_service(
            form,
            lambda: services.consultation_book(
                request=consultation_request, location=location, booked_by=request.user,
                **form.cleaned_data,
            ),
        )  # fmt: skip
        if booked:
            when = f"{local(location, booked.starts_at):%a %m/%d %H:%M}"
            messages.success(
                request,
                f"Consultation {when} ({booked.get_mode_display()}) booked for "
                f"{consultation_request.name} with {booked.physician}.",
            )
            return redirect("scheduling:pipeline")
    context = {
        "form": form,
        "heading": f"Book a consultation: {consultation_request.name} at {location}",
        "submit": "Book consultation",
        "cancel_url": reverse("scheduling:pipeline"),
    }
    return render(request, "patients/simple_form.html", context, status=status)


@role_required(*BOOKERS)
def consultation_cancel(request, pk):
    """Cancel a booked consultation, with the reason; the request goes back to "contacted"
    unless the desk keeps it at "consultation booked"."""
    consultation = get_object_or_404(
        consultations_for(request.user).select_related("request", "location"), pk=pk
    )
    form = ConsultationCancelForm(posted(request))
    status = 200
    if form.is_bound and form.is_valid():
        cancelled, status = run_service(
            form,
            lambda: services.consultation_cancel(
                consultation=consultation, cancelled_by=request.user, **form.cleaned_data
            ),
        )
        if cancelled:
            messages.success(
                request,
                f"Consultation for {consultation.request.name} cancelled; "
                f"{consultation.physician}'s time is free again.",
            )
            return redirect("scheduling:pipeline")
    starts = local(consultation.location, consultation.starts_at)
    context = {
        "form": form,
        "consultation": consultation,
        "when": f"{starts:%a %m/%d/%Y %H:%M}",
        "heading": f"Cancel the consultation: {consultation.request.name}",
        "already_cancelled": consultation.status == ConsultationStatus.CANCELLED,
    }
    return render(request, "scheduling/consultation_cancel.html", context, status=status)
