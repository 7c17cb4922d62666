"""Clinical screens: intake, screening, clearance, weight, consent."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from clinic.access import role_required
from clinic.forms import run_service
from clinic.roles import ALL_STAFF, Role

from .. import selectors, services
from ..forms.clinical import ClearanceForm, IntakeForm, ScreeningForm, WeightForm
from ..forms.registration import CommunicationConsentForm, ConsentSignForm
from ..models import ConsentDocument
from .common import CLINICAL_WRITERS, form_context, patient_for


def _posted(request):
    return request.POST if request.method == "POST" else None


def _to_tab(patient, tab: str):
    return redirect(reverse("patients:detail", args=[patient.pk]) + f"?tab={tab}")


@role_required(*CLINICAL_WRITERS)
def intake_new(request, pk):
    patient = patient_for(request.user, pk)
    form = IntakeForm(_posted(request))
    if form.is_bound and form.is_valid():
        run_service(
            form,
            lambda: services.intake_record(
                patient=patient,
                recorded_by=request.user,
                treatments=form.treatments(),
                **form.intake_fields(),
            ),
        )
        if not form.errors:
            messages.success(request, "Clinical intake recorded.")
            return _to_tab(patient, "intake")
    return render(request, "patients/intake_form.html", form_context(patient, form))


@role_required(*CLINICAL_WRITERS)
def screening_new(request, pk):
    patient = patient_for(request.user, pk)
    form = ScreeningForm(_posted(request), patient=patient)
    if form.is_bound and form.is_valid():
        screening, _ = run_service(
            form,
            lambda: services.screening_record(
                patient=patient,
                recorded_by=request.user,
                answers=form.answers(),
                notes=form.cleaned_data["notes"],
            ),
        )
        if not form.errors:
            if screening.needs_clearance:
                messages.warning(request, "Screening recorded: a physician must clear the patient.")
            else:
                messages.success(request, "Screening recorded: no flag raised.")
            return _to_tab(patient, "screening")
    return render(request, "patients/screening_form.html", form_context(patient, form))


@role_required(Role.PHYSICIAN)
def clearance(request, pk):
    patient = patient_for(request.user, pk)
    screening = selectors.latest_screening(patient)
    if screening is None:
        raise Http404("No screening on file.")
    form = ClearanceForm(_posted(request))
    if form.is_bound and form.is_valid():
        run_service(
            form,
            lambda: services.clearance_record(
                screening=screening, physician=request.user, **form.cleaned_data
            ),
        )
        if not form.errors:
            messages.success(request, f"Decision recorded for {patient.display_name}.")
            return _to_tab(patient, "screening")
    context = form_context(patient, form, screening=screening)
    return render(request, "patients/clearance_form.html", context)


@role_required(*CLINICAL_WRITERS)
def weight_new(request, pk):
    patient = patient_for(request.user, pk)
    form = WeightForm(_posted(request))
    if form.is_bound and form.is_valid():
        weight, _ = run_service(
            form,
            lambda: services.weight_record(
                patient=patient, measured_by=request.user, **form.cleaned_data
            ),
        )
        if not form.errors:
            messages.success(
                request, f"Weight recorded: {weight.weight_kg} kg ({weight.weight_lb} lb)."
            )
            return _to_tab(patient, "weights")
    asks_confirmation = bool(form.errors.get("confirm_large_change")) or bool(
        form.data.get("confirm_large_change")
    )
    asks_unusual = bool(form.errors.get("confirm_unusual_weight")) or bool(
        form.data.get("confirm_unusual_weight")
    )
    context = form_context(
        patient, form, asks_confirmation=asks_confirmation, asks_unusual=asks_unusual
    )
    return render(request, "patients/weight_form.html", context)


@role_required(*ALL_STAFF)
def consent_sign(request, pk, document_pk):
    patient = patient_for(request.user, pk)
    document = get_object_or_404(ConsentDocument, pk=document_pk, is_current=True)
    form = ConsentSignForm(_posted(request))
    if form.is_bound and form.is_valid():
        run_service(
            form,
            lambda: services.consent_sign(
                patient=patient,
                document=document,
                typed_name=form.cleaned_data["typed_name"],
                witness=request.user,
            ),
        )
        if not form.errors:
            messages.success(request, f"{document} signed, witnessed by {request.user}.")
            return _to_tab(patient, "consent")
    context = form_context(patient, form, document=document)
    return render(request, "patients/consent_form.html", context)


@role_required(*ALL_STAFF)
def communication_consent(request, pk):
    patient = patient_for(request.user, pk)
    form = CommunicationConsentForm(_posted(request))
    if form.is_bound and form.is_valid():
        run_service(
            form,
            lambda: services.communication_consent_record(
                patient=patient, recorded_by=request.user, **form.cleaned_data
            ),
        )
        if not form.errors:
            messages.success(request, "Communication consent recorded.")
            return _to_tab(patient, "consent")
    return render(
        request,
        "patients/simple_form.html",
        form_context(patient, form, heading="SMS and email consent", submit="Record consent"),
    )
