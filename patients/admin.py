"""Admin for patient records. Writes go through patients.services, as everywhere else;
clinical entries are append-only (the database refuses UPDATE and DELETE), so they are shown
read-only here."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.admin_roles import (
    ClinicAdminReads,
    ReadOnlyAdmin,
    ReadOnlyInline,
    SiteScoped,
    StatusHistoryInline,
    is_clinic_admin,
)

from .models import (
    Clearance,
    ClinicalIntake,
    CommunicationConsent,
    ConsentDocument,
    ConsentSignature,
    ConsultationRequest,
    ConsultationStageChange,
    ContactAttempt,
    EscortContact,
    OutcomeMeasure,
    Patient,
    Phq9FollowUp,
    PriorTreatment,
    Screening,
    WeightMeasurement,
)
from .services import patient_register, patient_update
from .services.registration import PATIENT_FIELDS

# --- Patients -------------------------------------------------------------------------------


class PatientAdminForm(forms.ModelForm):
    allow_duplicate = forms.BooleanField(
        required=False,
        label="This is a different person",
        help_text="Tick to register although a patient with this name and date of birth, "
        "or this phone, is already on file.",
    )

    class Meta:
        model = Patient
        fields = sorted(PATIENT_FIELDS)

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            return
        # The service is the one place registration and edits are checked (future birth
        # dates, likely duplicates), so it runs here, where its errors can reach the form.
        # The admin's view is atomic, so this write is undone if anything later fails.
        fields = {
            name: value for name, value in self.cleaned_data.items() if name in PATIENT_FIELDS
        }
        try:
            with transaction.atomic():
                if self.instance.pk is None:
                    allow_duplicate = self.cleaned_data.get("allow_duplicate", False)
                    self.saved_patient = patient_register(
                        registered_by=self.staff, allow_duplicate=allow_duplicate, **fields
                    )
                else:
                    self.saved_patient = patient_update(
                        patient=self.instance, changed_by=self.staff, **fields
                    )
        except ValidationError as error:
            self._update_errors(error)


@admin.register(Patient)
class PatientAdmin(SiteScoped, ClinicAdminReads):
    site_path = "home_location"
    form = PatientAdminForm
    list_display = [
        "mrn", "legal_last_name", "legal_first_name", "date_of_birth", "home_location",
        "is_active",
    ]  # fmt: skip
    list_filter = ["is_active", "home_location", "payment"]
    list_select_related = ["home_location"]
    search_fields = ["mrn", "legal_last_name", "legal_first_name", "preferred_name", "phone"]
    record_fields = [
        "is_active", "deactivated_at", "deactivated_by", "deactivation_reason", "created_at",
        "created_by",
    ]  # fmt: skip
    readonly_fields = ["mrn", *record_fields]

    def get_fields(self, request, obj=None):
        editable = [field.name for field in Patient._meta.fields if field.name in PATIENT_FIELDS]
        registering = ["allow_duplicate"] if obj is None else []
        return ["mrn", *editable, *registering, *self.record_fields]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.staff = request.user
        return form

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # patients are deactivated with a reason, never deleted

    def save_model(self, request, obj, form, change) -> None:
        # The form has already saved through the service; the admin only needs the result.
        saved = form.saved_patient
        for field in Patient._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))


@admin.register(EscortContact)
class EscortContactAdmin(SiteScoped, ReadOnlyAdmin):
    """Escorts are added and deactivated by the front desk (escort_add keeps one primary)."""

    site_path = "patient__home_location"

    list_display = ["name", "relationship", "phone", "patient", "is_primary", "is_active"]
    list_filter = ["is_active", "is_primary"]
    list_select_related = ["patient"]
    search_fields = ["name", "phone", "patient__mrn", "patient__legal_last_name"]


# --- Clinical entries (append-only) ---------------------------------------------------------

PATIENT_SEARCH = ["patient__mrn", "patient__legal_last_name", "patient__legal_first_name"]


class PriorTreatmentInline(ReadOnlyInline):
    model = PriorTreatment
    fields = ["kind", "detail", "result"]


@admin.register(ClinicalIntake)
class ClinicalIntakeAdmin(SiteScoped, ReadOnlyAdmin):
    site_path = "patient__home_location"
    list_display = ["patient", "diagnosis_code", "symptom_duration_months", "recorded_at"]
    list_filter = ["diagnosis_code", "no_known_drug_allergies"]
    list_select_related = ["patient", "recorded_by"]
    search_fields = PATIENT_SEARCH
    date_hierarchy = "recorded_at"
    inlines = [PriorTreatmentInline]


@admin.register(PriorTreatment)
class PriorTreatmentAdmin(SiteScoped, ReadOnlyAdmin):
    site_path = "intake__patient__home_location"
    list_display = ["patient", "kind", "result", "detail"]
    list_filter = ["kind", "result"]
    list_select_related = ["intake__patient"]
    search_fields = ["intake__patient__mrn", "intake__patient__legal_last_name", "detail"]

    @admin.display(ordering="intake__patient__legal_last_name")
    def patient(self, treatment):
        return treatment.intake.patient


@admin.register(Screening)
class ScreeningAdmin(SiteScoped, ReadOnlyAdmin):
    site_path = "patient__home_location"
    list_display = ["patient", "recorded_at", "recorded_by", "needs_clearance"]
    list_filter = list(Screening.QUESTIONS)
    list_select_related = ["patient", "recorded_by"]
    search_fields = PATIENT_SEARCH
    date_hierarchy = "recorded_at"

    @admin.display(boolean=True)
    def needs_clearance(self, screening) -> bool:
        return screening.needs_clearance


@admin.register(Clearance)
class ClearanceAdmin(SiteScoped, ReadOnlyAdmin):
    site_path = "screening__patient__home_location"
    list_display = ["patient", "decision", "physician", "decided_at"]
    list_filter = ["decision"]
    list_select_related = ["screening__patient", "physician"]
    search_fields = ["screening__patient__mrn", "screening__patient__legal_last_name"]

    @admin.display(ordering="screening__patient__legal_last_name")
    def patient(self, clearance):
        return clearance.screening.patient


class CorrectionFilter(admin.SimpleListFilter):
    """Mistaken entries (corrected by a later one) and the corrections themselves."""

    title = "correction"
    parameter_name = "correction"

    def lookups(self, request, model_admin):
        return [("corrected", "Corrected (mistaken)"), ("correction", "Is a correction")]

    def queryset(self, request, queryset):
        if self.value() == "corrected":
            return queryset.filter(corrected_by__isnull=False)
        if self.value() == "correction":
            return queryset.filter(corrects__isnull=False)
        return queryset


@admin.register(WeightMeasurement)
class WeightMeasurementAdmin(SiteScoped, ReadOnlyAdmin):
    site_path = "patient__home_location"
    list_display = [
        "patient", "weight_kg", "entered_value", "entered_unit", "change_from_previous_percent",
        "large_change_confirmed", "measured_at", "measured_by", "corrects", "correction_reason",
    ]  # fmt: skip
    list_filter = ["entered_unit", "large_change_confirmed", CorrectionFilter]
    list_select_related = ["patient", "measured_by"]
    search_fields = PATIENT_SEARCH
    date_hierarchy = "measured_at"


@admin.register(OutcomeMeasure)
class OutcomeMeasureAdmin(SiteScoped, ReadOnlyAdmin):
    site_path = "patient__home_location"
    list_display = [
        "patient", "kind", "score", "interpretation", "context", "needs_same_day_follow_up",
        "recorded_at", "corrects", "correction_reason",
    ]  # fmt: skip
    list_filter = ["kind", "context", "needs_same_day_follow_up", CorrectionFilter]
    list_select_related = ["patient", "recorded_by"]
    search_fields = PATIENT_SEARCH
    date_hierarchy = "recorded_at"


@admin.register(Phq9FollowUp)
class Phq9FollowUpAdmin(SiteScoped, ReadOnlyAdmin):
    site_path = "measure__patient__home_location"
    list_display = ["patient", "physician", "recorded_at"]
    list_select_related = ["measure__patient", "physician"]
    list_filter = ["physician"]
    search_fields = ["measure__patient__mrn", "measure__patient__legal_last_name", "note"]

    @admin.display(ordering="measure__patient__legal_last_name")
    def patient(self, follow_up):
        return follow_up.measure.patient


# --- Consent --------------------------------------------------------------------------------


@admin.register(ConsentDocument)
class ConsentDocumentAdmin(ClinicAdminReads):
    """Consent form versions. A signed version is never edited: add a new version instead."""

    list_display = ["title", "version", "effective_from", "is_current", "created_at"]
    list_filter = ["is_current", "title"]
    search_fields = ["title", "version", "body"]

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) or is_clinic_admin(request)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.signatures.exists():
            return False
        return super().has_change_permission(request, obj) or is_clinic_admin(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.signatures.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(ConsentSignature)
class ConsentSignatureAdmin(SiteScoped, ReadOnlyAdmin):
    site_path = "patient__home_location"
    list_display = ["patient", "document", "typed_name", "signed_at", "witness"]
    list_filter = ["document"]
    list_select_related = ["patient", "document", "witness"]
    search_fields = [*PATIENT_SEARCH, "typed_name"]
    date_hierarchy = "signed_at"


@admin.register(CommunicationConsent)
class CommunicationConsentAdmin(SiteScoped, ReadOnlyAdmin):
    site_path = "patient__home_location"
    list_display = ["patient", "channel", "granted", "method", "recorded_at", "recorded_by"]
    list_filter = ["channel", "granted", "method"]
    list_select_related = ["patient", "recorded_by"]
    search_fields = PATIENT_SEARCH


class StageHistoryInline(StatusHistoryInline):
    model = ConsultationStageChange
    fields = ["changed_at", "from_stage", "to_stage", "changed_by", "reason"]
    readonly_fields = fields


class ContactAttemptInline(ReadOnlyInline):
    model = ContactAttempt
    fields = ["attempted_at", "channel", "outcome", "note", "recorded_by", "recorded_at"]
    readonly_fields = fields
    ordering = ["attempted_at", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


@admin.register(ConsultationRequest)
class ConsultationRequestAdmin(SiteScoped, ReadOnlyAdmin):
    """The consultation pipeline's requests (read-only): the front desk moves them through
    their stages in the app."""

    site_path = "preferred_location"

    list_display = ["name", "phone", "preferred_location", "stage", "created_at", "handled_by"]
    list_filter = ["stage", "source", "preferred_location"]
    list_select_related = ["preferred_location", "handled_by"]
    search_fields = ["name", "phone", "email"]
    date_hierarchy = "created_at"
    inlines = [StageHistoryInline, ContactAttemptInline]


@admin.register(ConsultationStageChange)
class ConsultationStageChangeAdmin(SiteScoped, ReadOnlyAdmin):
    """A request's stage history, written by the consultation services (append-only)."""

    site_path = "request__preferred_location"
    list_display = ["changed_at", "request", "from_stage", "to_stage", "changed_by"]
    list_filter = ["to_stage"]
    list_select_related = ["request", "changed_by"]
    search_fields = ["request__name", "request__phone", "reason"]
    date_hierarchy = "changed_at"


@admin.register(ContactAttempt)
class ContactAttemptAdmin(SiteScoped, ReadOnlyAdmin):
    """Calls, texts and emails to a request, recorded by the front desk (append-only)."""

    site_path = "request__preferred_location"
    list_display = ["attempted_at", "request", "channel", "outcome", "recorded_by"]
    list_filter = ["channel", "outcome"]
    list_select_related = ["request", "recorded_by"]
    search_fields = ["request__name", "request__phone", "note"]
    date_hierarchy = "attempted_at"
