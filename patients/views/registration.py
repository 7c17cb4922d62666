"""Front-desk screens: register, edit, deactivate, escorts."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from clinic.access import locations_for, role_required
from clinic.forms import add_service_errors, run_service
from clinic.roles import ALL_STAFF

from .. import services
from ..forms.registration import DeactivateForm, EscortForm, PatientForm
from ..selectors import likely_duplicates
from .common import REGISTRARS, form_context, patient_for

DUPLICATE_MESSAGE = (
    "This looks like a patient who is already registered (listed below). Open their record, "
    "or tick “This is a different person” and save again."
)


def find_duplicates(user, form: PatientForm) -> list:
    """Likely duplicates of the person on the form; each says whether the user may open it."""
    data = form.cleaned_data
    found = likely_duplicates(
        legal_first_name=data["legal_first_name"],
        legal_last_name=data["legal_last_name"],
        date_of_birth=data["date_of_birth"],
        phone=data["phone"],
    )
    mine = set(locations_for(user).values_list("pk", flat=True))
    for patient in found:
        patient.is_at_my_site = patient.home_location_id in mine
    return found


def register_patient(request, *, save, initial=None, template="patients/register.html", **extra):
    """Shared by plain registration and registration from a consultation request.

    ``save(allow_duplicate=..., **fields)`` calls the service and returns the new patient.
    """
    posted = request.POST if request.method == "POST" else None
    form = PatientForm(posted, initial=initial, locations=locations_for(request.user))
    duplicates = []
    if posted is not None and form.is_valid():
        allow = form.cleaned_data["allow_duplicate"]
        duplicates = [] if allow else find_duplicates(request.user, form)
        if duplicates:
            form.add_error(None, DUPLICATE_MESSAGE)
        else:
            try:
                patient = save(allow_duplicate=allow, **form.patient_fields())
            except ValidationError as error:
                # The service checks again (a record may have been registered since the
                # check above); its message names them, the list links them.
                if not allow and "__all__" in getattr(error, "error_dict", {}):
                    duplicates = find_duplicates(request.user, form)
                add_service_errors(form, error)
            else:
                messages.success(request, f"Registered {patient.display_name}, {patient.mrn}.")
                return redirect("patients:detail", pk=patient.pk)
    return render(request, template, {"form": form, "duplicates": duplicates, **extra})


@role_required(*REGISTRARS)
def patient_register(request):
    def save(**fields):
        return services.patient_register(registered_by=request.user, **fields)

    return register_patient(request, save=save)


@role_required(*REGISTRARS)
def patient_edit(request, pk):
    patient = patient_for(request.user, pk)
    posted = request.POST if request.method == "POST" else None
    form = PatientForm(posted, instance=patient, locations=locations_for(request.user))
    duplicates, status = [], 200
    if posted is not None and form.is_valid():
        allow = form.cleaned_data["allow_duplicate"]
        _, status = run_service(
            form,
            lambda: services.patient_update(
                patient=patient, changed_by=request.user, allow_duplicate=allow,
                **form.patient_fields(),
            ),
        )  # fmt: skip
        if not form.errors:
            messages.success(request, "Patient details saved.")
            return redirect("patients:detail", pk=patient.pk)
        if not allow and form.non_field_errors():
            duplicates = [p for p in find_duplicates(request.user, form) if p.pk != patient.pk]
    context = {**form_context(patient, form), "duplicates": duplicates}
    return render(request, "patients/edit.html", context, status=status)


@role_required(*REGISTRARS)
def patient_deactivate(request, pk):
    patient = patient_for(request.user, pk)
    form = DeactivateForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        run_service(
            form,
            lambda: services.patient_deactivate(
                patient=patient, deactivated_by=request.user, reason=form.cleaned_data["reason"]
            ),
        )
        if not form.errors:
            messages.success(request, f"{patient.display_name}'s record is deactivated.")
            return redirect("patients:detail", pk=patient.pk)
    return render(
        request,
        "patients/simple_form.html",
        form_context(patient, form, heading="Deactivate this record", submit="Deactivate"),
    )


@role_required(*ALL_STAFF)
def escort_add(request, pk):
    patient = patient_for(request.user, pk)
    form = EscortForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        run_service(
            form,
            lambda: services.escort_add(
                patient=patient, added_by=request.user, **form.cleaned_data
            ),
        )
        if not form.errors:
            messages.success(request, "Escort added.")
            return redirect("patients:detail", pk=patient.pk)
    return render(
        request,
        "patients/simple_form.html",
        form_context(patient, form, heading="Add an escort", submit="Add escort"),
    )
