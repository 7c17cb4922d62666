"""The public "contact us" form and the front desk's queue of consultation requests."""

import logging

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from redis.exceptions import RedisError

from clinic.access import locations_for, role_required
from clinic.broker import over_limit
from clinic.forms import run_service

from .. import services
from ..forms.registration import (
    CloseRequestForm,
    ConsultationRequestForm,
    ContactAttemptForm,
    DeskRequestForm,
)
from ..models import ConsultationRequest
from ..selectors import consultation_requests_for, open_consultation_requests_for
from .common import REGISTRARS
from .registration import register_patient

log = logging.getLogger(__name__)

RATE_LIMIT_WINDOW_SECONDS = 3600


def rate_limit_key(ip: str) -> str:
    return f"ratelimit:consultation-request:{ip}"


def _over_rate_limit(request) -> bool:
    """Count this submission against the sender's IP; True once over the hourly limit.

    REMOTE_ADDR is the proxy's address behind a reverse proxy: the proxy must set it to the
    client's (e.g. gunicorn --forwarded-allow-ips), never trust X-Forwarded-For here.
    """
    limit = getattr(settings, "CONSULTATION_REQUESTS_PER_HOUR", 5)
    key = rate_limit_key(request.META.get("REMOTE_ADDR", "unknown"))
    try:
        return over_limit(key, limit, RATE_LIMIT_WINDOW_SECONDS)
    except (RedisError, OSError):
        # A contact form that is down loses patients; spam is the lesser harm.
        log.exception("Rate limit unavailable; accepting the consultation request")
        return False


def consultation_request(request):
    """Public: anybody may ask for a consultation. No login."""
    if request.GET.get("sent"):
        return render(request, "patients/contact_thanks.html")
    form = ConsultationRequestForm(request.POST if request.method == "POST" else None)
    if form.is_bound:
        if _over_rate_limit(request):
            return render(request, "patients/contact_limited.html", status=429)
        if form.is_spam:
            return redirect(request.path + "?sent=1")  # pretend; save nothing
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "website"}
            source = ConsultationRequest.Source.WEBSITE
            run_service(form, lambda: services.consultation_submit(**data, source=source))
            if not form.errors:
                return redirect(request.path + "?sent=1")
    return render(request, "patients/contact.html", {"form": form})


@role_required(*REGISTRARS)
def consultation_queue(request):
    open_requests = open_consultation_requests_for(request.user)
    return render(request, "patients/consultations.html", {"requests": open_requests})


def _open_request_for(user, pk) -> ConsultationRequest:
    return get_object_or_404(open_consultation_requests_for(user), pk=pk)


def _back(request) -> str:
    """Where to go after an action: the page it came from (the pipeline) or the queue."""
    wanted = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        return wanted
    return reverse("patients:consultations")


@role_required(*REGISTRARS)
def consultation_take(request):
    """A request the front desk takes by phone or from a referral."""
    form = DeskRequestForm(
        request.POST if request.method == "POST" else None, locations=locations_for(request.user)
    )
    if form.is_bound and form.is_valid():
        run_service(
            form, lambda: services.consultation_submit(**form.cleaned_data, taken_by=request.user)
        )
        if not form.errors:
            messages.success(request, f"Request from {form.cleaned_data['name']} added.")
            return redirect(_back(request))
    context = {
        "form": form,
        "heading": "New consultation request (phone or referral)",
        "submit": "Add request",
        "cancel_url": _back(request),
        "next": _back(request),
    }
    return render(request, "patients/simple_form.html", context)


@role_required(*REGISTRARS)
def consultation_attempt(request, pk):
    """Record a call, text or email to the requester."""
    consultation = get_object_or_404(consultation_requests_for(request.user), pk=pk)
    form = ContactAttemptForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        run_service(
            form,
            lambda: services.contact_attempt_record(
                request=consultation, recorded_by=request.user, **form.cleaned_data
            ),
        )
        if not form.errors:
            messages.success(request, f"Contact attempt for {consultation.name} recorded.")
            return redirect(_back(request))
    context = {
        "form": form,
        "heading": f"Contact attempt: {consultation.name}, {consultation.phone.as_national}",
        "submit": "Record attempt",
        "cancel_url": _back(request),
        "next": _back(request),
    }
    return render(request, "patients/simple_form.html", context)


@role_required(*REGISTRARS)
def consultation_register(request, pk):
    """The registration form, pre-filled from the request; saving converts the request."""
    consultation = _open_request_for(request.user, pk)
    first, _, last = consultation.name.strip().partition(" ")
    initial = {
        "legal_first_name": first,
        "legal_last_name": last,
        "phone": consultation.phone,
        "email": consultation.email,
        "date_of_birth": consultation.date_of_birth,
        "home_location": consultation.preferred_location_id,
    }

    def save(**fields):
        return services.consultation_convert(
            request=consultation, registered_by=request.user, **fields
        )

    return register_patient(request, save=save, initial=initial, consultation=consultation)


@role_required(*REGISTRARS)
def consultation_close(request, pk):
    consultation = _open_request_for(request.user, pk)
    form = CloseRequestForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        run_service(
            form,
            lambda: services.consultation_close(
                request=consultation, closed_by=request.user, reason=form.cleaned_data["reason"]
            ),
        )
        if not form.errors:
            messages.success(request, f"Request from {consultation.name} closed.")
            return redirect(_back(request))
    context = {
        "form": form,
        "heading": f"Close the request from {consultation.name}",
        "submit": "Close request",
        "cancel_url": _back(request),
        "next": _back(request),
    }
    return render(request, "patients/simple_form.html", context)
