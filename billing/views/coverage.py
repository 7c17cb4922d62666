"""The front desk's coverage screens: the patient's section (coverages, who pays, benefits
checks), adding, changing and ending a coverage, recording a check, and the list of courses
whose benefits must be checked before they start."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinic.access import role_required
from clinic.errors import ConflictError
from clinic.forms import refusal_text, run_service
from clinic.roles import DESK
from patients.selectors import patient_for

from .. import services
from ..forms import (
    BenefitsCheckForm,
    CoverageChangeForm,
    CoverageEndForm,
    CoverageForm,
    PaymentChoiceForm,
)
from ..models import Rank
from ..selectors.coverage import (
    CHECK_FRESH_DAYS,
    benefits_checks,
    checks_due_for,
    coverage_history,
    coverages_for,
    current_coverages,
    current_funding,
)

KEEPERS = DESK


def _posted(request):
    return request.POST if request.method == "POST" else None


def _to_patient(patient):
    return redirect(reverse("patients:detail", args=[patient.pk]) + "?tab=billing")


def _current_coverage(request, pk):
    return get_object_or_404(coverages_for(request.user), pk=pk)


@role_required(*KEEPERS)
def patient_money(request, pk):
    """The patient's coverage and billing section: loaded into the patient page's tab by
    htmx, or a page of its own."""
    patient = patient_for(request.user, pk)
    checks = list(benefits_checks(patient)[:20])
    context = {
        "patient": patient,
        "funding": current_funding(patient),
        "coverages": current_coverages(patient),
        "history": list(coverage_history(patient)[:30]),
        "checks": checks,
        "choice_form": PaymentChoiceForm(initial={"funding": current_funding(patient)}),
        "fresh_days": CHECK_FRESH_DAYS,
        "estimates": list(
            patient.estimates.select_related("superseded_by").prefetch_related("deliveries")[:10]
        ),
        "fragment": bool(getattr(request, "htmx", False)),
    }
    return render(request, "billing/patient.html", context)


@role_required(*KEEPERS)
def coverage_add(request, pk):
    patient = patient_for(request.user, pk)
    has_primary = any(c.rank == Rank.PRIMARY for c in current_coverages(patient))
    rank = Rank.SECONDARY if has_primary else Rank.PRIMARY
    form = CoverageForm(_posted(request), initial={"rank": rank})
    status = 200
    if form.is_bound and form.is_valid():
        _, status = run_service(form, lambda: services.coverage_add(
            patient=patient, by=request.user, **form.service_fields()))  # fmt: skip
        if not form.errors:
            messages.success(request, "Coverage recorded.")
            return _to_patient(patient)
    context = {"patient": patient, "form": form, "title": "Add insurance coverage"}
    return render(request, "billing/coverage_form.html", context, status=status)


@role_required(*KEEPERS)
def coverage_change(request, pk):
    coverage = _current_coverage(request, pk)
    patient = coverage.patient
    form = CoverageChangeForm(_posted(request), instance=coverage)
    status = 200
    if form.is_bound and form.is_valid():
        _, status = run_service(form, lambda: services.coverage_change(
            coverage=coverage, by=request.user, reason=form.cleaned_data["change_reason"],
            **form.service_fields()))  # fmt: skip
        if not form.errors:
            messages.success(request, "Coverage changed; the earlier version is kept.")
            return _to_patient(patient)
    context = {"patient": patient, "form": form, "coverage": coverage,
               "title": f"Change coverage: {coverage}"}  # fmt: skip
    return render(request, "billing/coverage_form.html", context, status=status)


@role_required(*KEEPERS)
def coverage_end(request, pk):
    coverage = _current_coverage(request, pk)
    form = CoverageEndForm(_posted(request))
    status = 200
    if form.is_bound and form.is_valid():
        _, status = run_service(form, lambda: services.coverage_end(
            coverage=coverage, by=request.user, reason=form.cleaned_data["change_reason"],
            ended_on=form.cleaned_data["ended_on"]))  # fmt: skip
        if not form.errors:
            messages.success(request, "Coverage ended.")
            return _to_patient(coverage.patient)
    context = {"patient": coverage.patient, "form": form, "coverage": coverage,
               "title": f"End coverage: {coverage}"}  # fmt: skip
    return render(request, "billing/coverage_form.html", context, status=status)


@role_required(*KEEPERS)
@require_POST
def payment_choice(request, pk):
    patient = patient_for(request.user, pk)
    form = PaymentChoiceForm(request.POST)
    if form.is_valid():
        run_service(form, lambda: services.payment_choice_record(
            patient=patient, by=request.user, **form.cleaned_data))  # fmt: skip
    if form.errors:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    else:
        messages.success(request, "Who pays is recorded.")
    return _to_patient(patient)


@role_required(*KEEPERS)
def check_new(request, pk):
    """Record a benefits check made by phone or on the payer's portal."""
    coverage = _current_coverage(request, pk)
    form = BenefitsCheckForm(_posted(request))
    status = 200
    if form.is_bound and form.is_valid():
        _, status = run_service(form, lambda: services.benefits_check_record(
            coverage=coverage, by=request.user, **form.cleaned_data))  # fmt: skip
        if not form.errors:
            messages.success(request, "Benefits check recorded.")
            return _to_patient(coverage.patient)
    context = {"patient": coverage.patient, "form": form, "coverage": coverage,
               "title": f"Benefits check: {coverage}"}  # fmt: skip
    return render(request, "billing/coverage_form.html", context, status=status)


@role_required(*KEEPERS)
@require_POST
def check_electronic(request, pk):
    """Ask the payer through the clearinghouse (270/271) and record the answer."""
    coverage = _current_coverage(request, pk)
    try:
        check = services.benefits_check_electronic(coverage=coverage, by=request.user)
    except (ValidationError, ConflictError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, f"Electronic check: {check.get_result_display()}.")
    return _to_patient(coverage.patient)


@role_required(*KEEPERS)
def checks_due(request):
    """Courses about to start for insured patients whose benefits were not checked in the
    last 30 days before the first session."""
    courses = list(checks_due_for(request.user)[:200])
    return render(
        request, "billing/checks_due.html", {"courses": courses, "fresh_days": CHECK_FRESH_DAYS}
    )
