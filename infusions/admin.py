"""Admin for protocols: the medical director's drug library.

Writes go through infusions.services. A version is never changed: the "Revise" link opens
an add form pre-filled from the current version, and saving it adds the next version.
Physicians and clinic admins use these pages whatever their group's model permissions; a
physician needs staff status to reach the admin at all.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html

from clinic.admin_roles import NoWrites, SiteScoped
from clinic.api import id_param

from .models import (
    Alert,
    AlertAcknowledgement,
    AlertBreach,
    AlertEscalation,
    ComfortApplied,
    Correction,
    Discharge,
    DoseCheck,
    DoseOrder,
    DoseOrderEvent,
    DrugLogEntry,
    EscortEntry,
    InfusionEvent,
    InfusionRecord,
    InfusionStatusEvent,
    Lot,
    Protocol,
    ProtocolVersion,
    VitalsReading,
)
from .services import (
    PROTOCOL_EDITORS,
    RECEIVERS,
    VERSION_FIELDS,
    lot_receive,
    protocol_create,
    protocol_revise,
    protocol_update,
)

PROTOCOL_FIELDS = ["name", "code", "description"]
RECORD_FIELDS = ["created_at", "created_by"]
VERSION_FIELDSETS = [
    ("Dose", {"fields": [
        "mg_per_kg", "infusion_minutes", "rounding_step_mg", "soft_max_mg", "hard_max_mg",
        "min_weight_kg", "max_weight_kg", "weight_max_age_hours",
    ]}),
    ("Preparation", {"fields": ["bag_volume_ml", "allowed_vial_mg_per_ml", "vial_needs_dilution"]}),
    ("Charting", {"fields": [
        "vitals_interval_minutes", "recovery_vitals_interval_minutes", "systolic_high_mmhg",
        "systolic_low_mmhg", "diastolic_high_mmhg", "pulse_high_bpm", "pulse_low_bpm",
        "spo2_low_percent", "rr_alert_at_or_below_per_min", "rr_alert_at_or_above_per_min",
        "news2_alert_on_single_3", "news2_alert_total_at_least",
        "post_alert_vitals_interval_minutes", "alert_escalation_minutes", "min_discharge_score",
        "discharge_score_type", "completion_tolerance_minutes", "min_recovery_minutes",
    ]}),
    ("Orders", {"fields": ["standing_order"]}),
]  # fmt: skip


def is_protocol_editor(request) -> bool:
    user = request.user
    return user.is_active and user.may(*PROTOCOL_EDITORS)


class ProtocolEditorsMayUse(admin.ModelAdmin):
    """Physicians and clinic admins read and add, whatever model permissions they hold."""

    def has_module_permission(self, request) -> bool:
        return super().has_module_permission(request) or is_protocol_editor(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) or is_protocol_editor(request)

    def has_add_permission(self, request) -> bool:
        return is_protocol_editor(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # versions are append-only; a protocol is withdrawn, not deleted


class ServiceForm(forms.ModelForm):
    """A ModelForm whose saving is a service call, run in ``_post_clean`` so that the
    service's errors land on the form. The admin's view is atomic, so the write is undone
    if anything later fails."""

    staff = None  # set by the admin's get_form

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            return
        try:
            with transaction.atomic():
                self.saved = self.save_through_service()
        except ValidationError as error:
            self._update_errors(error)

    def numbers(self) -> dict:
        return {name: self.cleaned_data[name] for name in VERSION_FIELDS}


# --- Protocols ------------------------------------------------------------------------------


class ProtocolAddForm(ServiceForm):
    """Protocol and its version 1 in one form (the version's fields are added below)."""

    change_note = forms.CharField(initial="First version.", widget=forms.Textarea)

    class Meta:
        model = Protocol
        fields = PROTOCOL_FIELDS

    def save_through_service(self) -> Protocol:
        return protocol_create(
            name=self.cleaned_data["name"],
            code=self.cleaned_data["code"],
            description=self.cleaned_data["description"],
            change_note=self.cleaned_data["change_note"],
            created_by=self.staff,
            **self.numbers(),
        )


# Declared on the class, so that the admin's fieldsets may name them.
ProtocolAddForm = type(
    "ProtocolAddForm",
    (ProtocolAddForm,),
    forms.fields_for_model(ProtocolVersion, fields=VERSION_FIELDS),
)


class ProtocolChangeForm(ServiceForm):
    class Meta:
        model = Protocol
        fields = ["name", "description", "is_active"]

    def save_through_service(self) -> Protocol:
        return protocol_update(protocol=self.instance, changed_by=self.staff, **self.cleaned_data)


class VersionInline(NoWrites, admin.TabularInline):
    model = ProtocolVersion
    fields = [
        "version", "mg_per_kg", "infusion_minutes", "soft_max_mg", "hard_max_mg",
        "bag_volume_ml", "standing_order", "created_at", "created_by", "change_note",
    ]  # fmt: skip
    readonly_fields = fields
    ordering = ["-number"]
    extra = 0

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) or is_protocol_editor(request)

    @admin.display(description="version")
    def version(self, version):
        link = reverse("admin:protocols_protocolversion_change", args=[version.pk])
        return format_html('<a href="{}">v{}</a>', link, version.number)


@admin.register(Protocol)
class ProtocolAdmin(ProtocolEditorsMayUse):
    list_display = ["name", "code", "current", "infusion_minutes", "is_active", "revise"]
    list_filter = ["is_active"]
    search_fields = ["name", "code", "description"]
    readonly_fields = ["code", "revise", *RECORD_FIELDS]

    def get_queryset(self, request):
        return super().get_queryset(request).with_versions()

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            first = [(None, {"fields": [*PROTOCOL_FIELDS, "change_note"]})]
            return first + [(f"Version 1: {title}", opts) for title, opts in VERSION_FIELDSETS]
        fields = ["name", "code", "description", "is_active", "revise", *RECORD_FIELDS]
        return [(None, {"fields": fields})]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_inlines(self, request, obj):
        return [VersionInline] if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = ProtocolChangeForm if obj is not None else ProtocolAddForm
        form = super().get_form(request, obj, change=change, **kwargs)
        form.staff = request.user
        return form

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) or is_protocol_editor(request)

    def save_model(self, request, obj, form, change) -> None:
        # The form has already saved through the service; the admin only needs the result.
        for field in Protocol._meta.concrete_fields:
            setattr(obj, field.attname, getattr(form.saved, field.attname))

    @admin.display(description="current version")
    def current(self, protocol):
        version = protocol.current_version
        return f"v{version.number}" if version else "-"

    @admin.display(description="new version")
    def revise(self, protocol):
        if protocol.pk is None:
            return "-"
        link = reverse("admin:protocols_protocolversion_add") + f"?protocol={protocol.pk}"
        return format_html('<a href="{}">Revise (adds a new version)</a>', link)


# --- Versions -------------------------------------------------------------------------------


class RevisionForm(ServiceForm):
    class Meta:
        model = ProtocolVersion
        fields = ["protocol", "change_note", *VERSION_FIELDS]

    def save_through_service(self) -> ProtocolVersion:
        return protocol_revise(
            protocol=self.cleaned_data["protocol"],
            changed_by=self.staff,
            change_note=self.cleaned_data["change_note"],
            **self.numbers(),
        )


@admin.register(ProtocolVersion)
class ProtocolVersionAdmin(ProtocolEditorsMayUse):
    """Read-only once saved. Adding one is revising its protocol (version n+1)."""

    form = RevisionForm
    list_display = [
        "protocol", "number", "mg_per_kg", "infusion_minutes", "soft_max_mg", "hard_max_mg",
        "standing_order", "created_at", "created_by",
    ]  # fmt: skip
    list_filter = ["protocol", "standing_order"]
    list_select_related = ["protocol", "created_by"]
    search_fields = ["protocol__name", "protocol__code", "change_note"]
    date_hierarchy = "created_at"

    def get_fieldsets(self, request, obj=None):
        first = ["protocol", "change_note"]
        if obj is not None:
            first = ["protocol", "number", "change_note", *RECORD_FIELDS]
        return [(None, {"fields": first}), *VERSION_FIELDSETS]

    def get_readonly_fields(self, request, obj=None):
        return ["number", *RECORD_FIELDS] if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.staff = request.user
        return form

    def get_changeform_initial_data(self, request) -> dict:
        """Pre-fill a revision with the current version's numbers (``?protocol=<id>``)."""
        initial = super().get_changeform_initial_data(request)
        protocol_id = id_param(request.GET.get("protocol"))
        protocol = (
            Protocol.objects.filter(pk=protocol_id).first() if protocol_id is not None else None
        )
        current = protocol.current_version if protocol else None
        if current is not None:
            initial.update({name: getattr(current, name) for name in VERSION_FIELDS})
        return initial

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # append-only: the database refuses it too

    def save_model(self, request, obj, form, change) -> None:
        for field in ProtocolVersion._meta.concrete_fields:
            setattr(obj, field.attname, getattr(form.saved, field.attname))


# --- Dose orders, double-checks and the controlled-substance log ---------------------------
# Clinical records: read-only here (the database refuses changes too). Lots are added by
# clinic admins through the receive service, which also writes the 'received' entry.


class ReadOnlyRecordAdmin(NoWrites, admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


class DoseOrderEventInline(admin.TabularInline):
    model = DoseOrderEvent
    fields = ["from_status", "to_status", "signed_as", "reason", "at", "by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DoseOrder)
class DoseOrderAdmin(SiteScoped, ReadOnlyRecordAdmin):
    site_path = "appointment__location"
    list_display = [
        "id",
        "appointment",
        "dose_mg",
        "weight_kg",
        "protocol_version",
        "created_at",
        "created_by",
    ]
    list_select_related = [
        "appointment__patient",
        "appointment__chair",
        "protocol_version__protocol",
        "created_by",
    ]
    search_fields = ["appointment__patient__mrn", "appointment__patient__legal_last_name"]
    date_hierarchy = "created_at"
    inlines = [DoseOrderEventInline]


@admin.register(DoseCheck)
class DoseCheckAdmin(SiteScoped, ReadOnlyRecordAdmin):
    site_path = "order__appointment__location"
    list_display = ["order", "nurse", "entered_mg", "matches", "checked_at"]
    list_filter = ["matches"]
    list_select_related = ["order", "nurse"]


@admin.register(DrugLogEntry)
class DrugLogEntryAdmin(SiteScoped, ReadOnlyRecordAdmin):
    site_path = "location"
    list_display = [
        "id",
        "business_date",
        "location",
        "lot",
        "kind",
        "mg",
        "ml",
        "balance_mg",
        "by",
        "witness",
    ]
    list_filter = ["kind", "location"]
    list_select_related = ["location", "lot", "by", "witness"]
    search_fields = ["lot__lot_number", "reason"]
    date_hierarchy = "occurred_at"


class LotReceiveForm(ServiceForm):
    vials = forms.IntegerField(min_value=1, label="Vials received")

    class Meta:
        model = Lot
        fields = [
            "location",
            "lot_number",
            "concentration_mg_per_ml",
            "vial_volume_ml",
            "expires_on",
            "supplier",
        ]

    def save_through_service(self) -> Lot:
        fields = {name: self.cleaned_data[name] for name in LotReceiveForm.Meta.fields}
        return lot_receive(received_by=self.staff, vials=self.cleaned_data["vials"], **fields)

    def _post_clean(self) -> None:
        # Lot's own validation is the service's (it also checks the site and expiry).
        forms.BaseForm._post_clean(self)
        if not self.errors:
            try:
                with transaction.atomic():
                    self.saved = self.save_through_service()
            except ValidationError as error:
                self._update_errors(error)


@admin.register(Lot)
class LotAdmin(SiteScoped, ReadOnlyRecordAdmin):
    site_path = "location"
    list_display = [
        "lot_number",
        "location",
        "concentration_mg_per_ml",
        "vial_volume_ml",
        "expires_on",
        "received_vials",
        "received_at",
        "received_by",
    ]
    list_filter = ["location"]
    list_select_related = ["location", "received_by"]
    search_fields = ["lot_number"]

    def get_readonly_fields(self, request, obj=None):
        return super().get_readonly_fields(request, obj) if obj is not None else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return [*LotReceiveForm.Meta.fields, "vials"]
        return [field.name for field in Lot._meta.fields]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = LotReceiveForm
        form = super().get_form(request, obj, change=change, **kwargs)
        form.staff = request.user
        return form

    def has_add_permission(self, request) -> bool:
        user = request.user
        return user.is_active and user.may(*RECEIVERS)

    def has_module_permission(self, request) -> bool:
        return super().has_module_permission(request) or self.has_add_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) or self.has_add_permission(request)

    def save_model(self, request, obj, form, change) -> None:
        for field in Lot._meta.concrete_fields:
            setattr(obj, field.attname, getattr(form.saved, field.attname))


# --- Chairside charting: read-only (the chart is append-only; write through the chair screen)


@admin.register(InfusionRecord)
class InfusionRecordAdmin(SiteScoped, ReadOnlyRecordAdmin):
    site_path = "appointment__location"
    list_display = ["id", "appointment", "status", "started_at", "ended_at", "administered_mg"]
    list_filter = ["status"]
    list_select_related = ["appointment__patient", "appointment__chair"]
    readonly_fields = [f.name for f in InfusionRecord._meta.fields]


def _read_only_admin(model, columns, site_path="record__appointment__location"):
    attrs = {
        "site_path": site_path,
        "list_display": columns,
        "readonly_fields": [f.name for f in model._meta.fields],
        "__module__": __name__,
    }
    bases = (SiteScoped, ReadOnlyRecordAdmin)
    admin.site.register(model, type(f"{model.__name__}Admin", bases, attrs))


for _model, _columns in (
    (InfusionStatusEvent, ["record", "from_status", "to_status", "at", "by"]),
    (VitalsReading, ["record", "taken_at", "phase", "__str__", "news2_score", "taken_by"]),
    (Alert, ["record", "message", "raised_at"]),
    (InfusionEvent, ["record", "kind", "side_effect", "severity", "occurred_at", "by"]),
    (
        Discharge,
        ["record", "score_type", "total", "escort_name", "discharged_at", "by", "corrects"],
    ),
    (EscortEntry, ["record", "status", "name", "phone", "at", "by"]),
    (ComfortApplied, ["record", "item", "detail", "at", "by"]),
    (Correction, ["record", "vitals", "event", "reason", "at", "by"]),
):
    _read_only_admin(_model, _columns)
_read_only_admin(
    AlertAcknowledgement,
    ["alert", "action", "physician", "by", "at", "corrects"],
    site_path="alert__record__appointment__location",
)
_read_only_admin(
    AlertBreach, ["alert", "message", "source"], site_path="alert__record__appointment__location"
)
_read_only_admin(
    AlertEscalation,
    ["alert", "physician", "channel", "status", "created_at", "sent_at"],
    site_path="alert__record__appointment__location",
)
