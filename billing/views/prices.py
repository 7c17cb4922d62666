"""Prices and Good Faith Estimates: the site's price list (clinic admins publish a new
version), the estimates the desk owes, issuing, updating, printing and giving one."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinic.access import locations_for, role_required
from clinic.errors import ConflictError
from clinic.forms import refusal_text, run_service
from clinic.roles import ADMINS, DESK
from patients.selectors import patient_for
from scheduling.models import CourseStatus

from .. import services
from ..close_forms import SendForm
from ..forms import DeliveryForm, EstimateForm, EstimateUpdateForm, PriceListForm
from ..selectors.prices import (
    courses_without_estimate,
    estimates_for,
    estimates_not_given,
    price_lists_for,
)
from ..services.prices import DISPUTE_NOTICE

KEEPERS = DESK


def _posted(request):
    return request.POST if request.method == "POST" else None


@role_required(*KEEPERS)
def prices(request):
    """Every site's price lists, newest first; clinic admins publish a new version here."""
    form = None
    status = 200
    if request.user.may(*ADMINS):
        form = PriceListForm(_posted(request), sites=locations_for(request.user))
        if form.is_bound and form.is_valid():
            _, status = run_service(form, lambda: services.price_list_publish(
                location=form.cleaned_data["location"], by=request.user,
                effective_from=form.cleaned_data["effective_from"], prices_usd=form.prices(),
                note=form.cleaned_data["note"]))  # fmt: skip
            if not form.errors:
                messages.success(request, "New prices published.")
                return redirect("billing:prices")
    elif request.method == "POST":
        raise PermissionDenied("Only clinic admins change prices.")
    context = {"price_lists": list(price_lists_for(request.user)[:20]), "form": form}
    return render(request, "billing/prices.html", context, status=status)


@role_required(*KEEPERS)
def estimates(request):
    """The estimates the desk owes: courses of self-pay patients with none, and estimates
    not given yet with their deadline (overdue first)."""
    context = {
        "to_prepare": list(courses_without_estimate(request.user)[:100]),
        "not_given": list(estimates_not_given(request.user)[:100]),
        "recent": list(estimates_for(request.user)[:20]),
    }
    return render(request, "billing/estimates.html", context)


@role_required(*KEEPERS)
def estimate_new(request, pk):
    patient = patient_for(request.user, pk)
    courses = patient.courses.filter(
        status__in=(CourseStatus.PLANNED, CourseStatus.ACTIVE)
    ).select_related("protocol", "location")
    initial = {"course": request.GET.get("course")}
    form = EstimateForm(_posted(request), courses=courses, initial=initial)
    status = 200
    if form.is_bound and form.is_valid():
        estimate, status = run_service(form, lambda: services.estimate_issue(
            patient=patient, by=request.user, **form.cleaned_data))  # fmt: skip
        if estimate:
            messages.success(request, "Good Faith Estimate issued: print or email it.")
            return redirect("billing:estimate", estimate.pk)
    context = {"patient": patient, "form": form, "title": "Good Faith Estimate"}
    return render(request, "billing/coverage_form.html", context, status=status)


@role_required(*KEEPERS)
def estimate_update(request, pk):
    earlier = get_object_or_404(estimates_for(request.user), pk=pk)
    form = EstimateUpdateForm(_posted(request))
    status = 200
    if form.is_bound and form.is_valid():
        estimate, status = run_service(form, lambda: services.estimate_issue(
            patient=earlier.patient, by=request.user, course=earlier.course,
            infusions=form.cleaned_data["infusions"],
            consultation=form.cleaned_data["consultation"], supersedes=earlier,
            reason=form.cleaned_data["change_reason"]))  # fmt: skip
        if estimate:
            messages.success(request, "Updated estimate issued; give it to the patient.")
            return redirect("billing:estimate", estimate.pk)
    context = {"patient": earlier.patient, "form": form, "title": f"Update estimate {pk}"}
    return render(request, "billing/coverage_form.html", context, status=status)


@role_required(*KEEPERS)
def estimate(request, pk):
    """The estimate as the patient receives it: a printable page."""
    estimate = get_object_or_404(
        estimates_for(request.user).prefetch_related("lines", "deliveries__delivered_by"), pk=pk
    )
    context = {
        "estimate": estimate, "patient": estimate.patient, "notice": DISPUTE_NOTICE,
        "delivery_form": DeliveryForm(), "send_form": SendForm(),
        "superseded": hasattr(estimate, "superseded_by"),
    }  # fmt: skip
    return render(request, "billing/estimate.html", context)


@role_required(*KEEPERS)
@require_POST
def estimate_deliver(request, pk):
    estimate = get_object_or_404(estimates_for(request.user), pk=pk)
    form = DeliveryForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose how the estimate was given.")
    else:
        try:
            services.estimate_deliver(
                estimate=estimate, method=form.cleaned_data["method"], by=request.user
            )
        except (ValidationError, ConflictError, PermissionDenied) as error:
            messages.error(request, refusal_text(error))
        else:
            messages.success(request, "Delivery recorded.")
    return redirect(reverse("billing:estimate", args=[estimate.pk]))
