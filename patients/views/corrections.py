"""Corrections of weights and outcome measures. Nothing recorded is edited: the correction
is a new entry pointing at the mistaken one, with the reason, and the tabs show the mistaken
one struck through beside it."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, render

from clinic.access import role_required
from clinic.forms import run_service

from .. import services
from ..forms.clinical import WeightCorrectionForm
from ..forms.measures import MEASURE_SLUGS, correction_form_class, initial_from_answers
from .clinical import _posted, _to_tab
from .common import CLINICAL_WRITERS, form_context, patient_for


def _score(score) -> str:
    return "not computable" if score is None else f"{score:.1f}"


def _already_corrected(request, patient, tab: str):
    messages.error(request, "That entry has already been corrected; correct the correction.")
    return _to_tab(patient, tab)


@role_required(*CLINICAL_WRITERS)
def weight_correct(request, pk, weight_pk):
    patient = patient_for(request.user, pk)
    weight = get_object_or_404(
        patient.weights.select_related("measured_by", "corrected_by"), pk=weight_pk
    )
    if hasattr(weight, "corrected_by"):
        return _already_corrected(request, patient, "weights")
    initial = {"value": weight.entered_value, "unit": weight.entered_unit}
    form = WeightCorrectionForm(_posted(request), initial=initial)
    if form.is_bound and form.is_valid():
        correction, _ = run_service(
            form,
            lambda: services.weight_correct(
                weight=weight, corrected_by=request.user, **form.cleaned_data
            ),
        )
        if not form.errors:
            messages.success(
                request,
                f"Weight corrected: {weight.weight_kg} kg is now {correction.weight_kg} kg "
                f"({correction.weight_lb} lb).",
            )
            return _to_tab(patient, "weights")
    asks_confirmation = bool(form.errors.get("confirm_large_change")) or bool(
        form.data.get("confirm_large_change")
    )
    asks_unusual = bool(form.errors.get("confirm_unusual_weight")) or bool(
        form.data.get("confirm_unusual_weight")
    )
    context = form_context(
        patient, form, weight=weight, asks_confirmation=asks_confirmation,
        asks_unusual=asks_unusual,
    )  # fmt: skip
    return render(request, "patients/weight_correct.html", context)


@role_required(*CLINICAL_WRITERS)
def measure_correct(request, pk, measure_pk):
    patient = patient_for(request.user, pk)
    measure = get_object_or_404(
        patient.measures.select_related("recorded_by", "corrected_by"), pk=measure_pk
    )
    if hasattr(measure, "corrected_by"):
        return _already_corrected(request, patient, "measures")
    form_class = correction_form_class(measure.kind)
    form = form_class(_posted(request), initial=initial_from_answers(measure.kind, measure.answers))
    if form.is_bound and form.is_valid():
        correction, _ = run_service(
            form,
            lambda: services.measure_correct(
                measure=measure,
                answers=form.answers(),
                reason=form.cleaned_data["reason"],
                corrected_by=request.user,
            ),
        )
        if not form.errors:
            messages.success(
                request,
                f"{correction.get_kind_display()} corrected: {_score(measure.score)} is now "
                f"{_score(correction.score)} ({correction.interpretation}).",
            )
            if correction.needs_same_day_follow_up and not measure.needs_same_day_follow_up:
                messages.warning(
                    request,
                    "PHQ-9 item 9 is not zero: a physician must follow up with the patient today.",
                )
            return _to_tab(patient, "measures")
    template = f"patients/measures/{MEASURE_SLUGS[measure.kind]}.html"
    context = form_context(patient, form, kind=MEASURE_SLUGS[measure.kind], correcting=measure)
    return render(request, template, context)
