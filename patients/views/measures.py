"""Outcome questionnaires and the physician's PHQ-9 item-9 follow-up."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from clinic.access import role_required
from clinic.forms import run_service
from clinic.roles import Role

from .. import services
from ..forms.clinical import FollowUpForm
from ..forms.measures import MEASURE_FORMS
from ..models import MeasureKind
from .common import CLINICAL_WRITERS, form_context, patient_for


def _to_measures(patient):
    return redirect(reverse("patients:detail", args=[patient.pk]) + "?tab=measures")


@role_required(*CLINICAL_WRITERS)
def measure_new(request, pk, kind):
    patient = patient_for(request.user, pk)
    form_class = MEASURE_FORMS.get(kind)
    if form_class is None:
        raise Http404("No such questionnaire.")
    # ?context=pre_infusion: a link from the check-in page's "not answered from home" notice.
    initial = {"context": request.GET.get("context", "baseline")}
    form = form_class(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        measure, _ = run_service(
            form,
            lambda: services.measure_record(
                patient=patient,
                kind=form.kind,
                answers=form.answers(),
                recorded_by=request.user,
                context=form.cleaned_data["context"],
                completed_by_patient=form.cleaned_data["completed_by_patient"],
            ),
        )
        if not form.errors:
            summary = f"{measure.get_kind_display()} recorded: {measure.score or '-'}"
            messages.success(request, f"{summary} ({measure.interpretation}).")
            if measure.needs_same_day_follow_up:
                messages.warning(
                    request,
                    "PHQ-9 item 9 is not zero: a physician must follow up with the patient today.",
                )
            return _to_measures(patient)
    template = f"patients/measures/{kind}.html"
    return render(request, template, form_context(patient, form, kind=kind))


@role_required(Role.PHYSICIAN)
def phq9_follow_up(request, pk, measure_pk):
    patient = patient_for(request.user, pk)
    measure = get_object_or_404(patient.measures, pk=measure_pk, kind=MeasureKind.PHQ9)
    form = FollowUpForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        run_service(
            form,
            lambda: services.phq9_follow_up_record(
                measure=measure, physician=request.user, note=form.cleaned_data["note"]
            ),
        )
        if not form.errors:
            messages.success(request, "PHQ-9 follow-up recorded.")
            return _to_measures(patient)
    context = form_context(patient, form, measure=measure)
    return render(request, "patients/phq9_follow_up.html", context)
