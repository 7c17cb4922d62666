"""Admin for scheduling. Clinic admins edit the clinic's capacity here (hours, closures,
chairs, shifts, visit templates) whatever model permissions their group holds.

Courses and appointments are shown read-only: their times and statuses change only through
scheduling.services (booking, rescheduling and transitions check overlaps, nurse capacity
and the transition table, and write the history), so the admin's only writes to them are
actions that call those services.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from clinic.admin_roles import (
    ClinicAdminEdits,
    ReadOnlyAdmin,
    ReadOnlyInline,
    SiteScoped,
    StatusHistoryInline,
    is_clinic_admin,
)
from clinic.errors import ConflictError
from clinic.models import User
from clinic.roles import Role

from .models import (
    Appointment,
    AppointmentStatus,
    AppointmentStatusChange,
    CalendarFeed,
    Chair,
    ChairOutOfService,
    ClosedDay,
    Consultation,
    ConsultationStatusChange,
    Course,
    CourseProtocolChange,
    LocationSchedule,
    NurseShift,
    OpeningHours,
    VisitTemplate,
)
from .selectors.visits import appointments_in_shift
from .services import appointment_transition
from .services.changes import STAFF

PATIENT_SEARCH = ["patient__mrn", "patient__legal_last_name", "patient__legal_first_name"]


# --- The clinic's capacity --------------------------------------------------------------------


@admin.register(LocationSchedule)
class LocationScheduleAdmin(SiteScoped, ClinicAdminEdits):
    site_path = "location"
    list_display = [
        "location", "nurse_capacity", "min_gap_hours", "min_infusions", "max_infusions",
        "max_course_days", "follows_federal_holidays",
    ]  # fmt: skip
    list_select_related = ["location"]
    search_fields = ["location__name", "location__code"]


@admin.register(OpeningHours)
class OpeningHoursAdmin(SiteScoped, ClinicAdminEdits):
    site_path = "location"
    list_display = ["location", "weekday", "opens_at", "closes_at"]
    list_filter = ["location", "weekday"]
    list_select_related = ["location"]
    search_fields = ["location__name"]


@admin.register(ClosedDay)
class ClosedDayAdmin(SiteScoped, ClinicAdminEdits):
    site_path = "location"
    shared_when_null = True  # a day every site is closed
    list_display = ["date", "location", "reason", "added_by"]
    list_filter = ["location"]
    readonly_fields = ["added_by"]
    list_select_related = ["location"]
    search_fields = ["reason", "location__name"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)


class OutOfServiceInline(admin.TabularInline):
    model = ChairOutOfService
    fields = ["starts_at", "ends_at", "reason"]
    extra = 0

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) or is_clinic_admin(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return super().has_add_permission(request, obj) or is_clinic_admin(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) or is_clinic_admin(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) or is_clinic_admin(request)


@admin.register(Chair)
class ChairAdmin(SiteScoped, ClinicAdminEdits):
    site_path = "location"
    list_display = ["name", "location", "is_active"]
    list_filter = ["location", "is_active"]
    list_select_related = ["location"]
    search_fields = ["name", "location__name"]
    inlines = [OutOfServiceInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # appointments keep their chair: take it out of service instead


@admin.register(ChairOutOfService)
class ChairOutOfServiceAdmin(SiteScoped, ClinicAdminEdits):
    site_path = "chair__location"
    list_display = ["chair", "starts_at", "ends_at", "reason"]
    list_filter = ["chair__location"]
    list_select_related = ["chair__location"]
    search_fields = ["chair__name", "reason"]
    date_hierarchy = "starts_at"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "chair":  # each choice is named with its site
            kwargs["queryset"] = Chair.objects.select_related("location")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(NurseShift)
class NurseShiftAdmin(SiteScoped, ClinicAdminEdits):
    site_path = "location"
    list_display = ["nurse", "location", "starts_at", "ends_at"]
    list_filter = ["location", "nurse"]
    list_select_related = ["nurse", "location"]
    search_fields = ["nurse__first_name", "nurse__last_name", "nurse__username"]
    date_hierarchy = "starts_at"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "nurse":
            kwargs["queryset"] = User.objects.filter(
                is_active=True, groups__name=Role.NURSE.label
            ).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None) -> bool:
        # Moving a shift from under booked infusions would leave them without a nurse.
        if obj is not None and appointments_in_shift(obj).exists():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and appointments_in_shift(obj).exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(VisitTemplate)
class VisitTemplateAdmin(ClinicAdminEdits):
    list_display = ["name", "prep_minutes", "recovery_minutes", "is_default"]
    list_filter = ["is_default"]
    search_fields = ["name"]


# --- Courses and appointments (written by the services only) ----------------------------------


class SessionInline(ReadOnlyInline):
    model = Appointment
    fields = ["sequence", "starts_at", "ends_at", "chair", "nurse", "status", "escort_confirmed"]
    readonly_fields = fields
    ordering = ["sequence"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("patient", "chair__location", "nurse")


class ProtocolChangeInline(ReadOnlyInline):
    model = CourseProtocolChange
    fields = ["changed_at", "from_protocol", "protocol", "after_infusions", "reason",
              "changed_by"]  # fmt: skip
    readonly_fields = fields
    ordering = ["changed_at", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("from_protocol", "protocol",
                                                            "changed_by")  # fmt: skip


@admin.register(Course)
class CourseAdmin(SiteScoped, ReadOnlyAdmin):
    site_path = "location"
    list_display = [
        "patient", "protocol", "location", "planned_infusions", "status", "booked_at",
        "booked_by",
    ]  # fmt: skip
    list_filter = ["status", "location", "protocol"]
    list_select_related = ["patient", "protocol", "location", "booked_by"]
    search_fields = PATIENT_SEARCH
    date_hierarchy = "booked_at"
    inlines = [SessionInline, ProtocolChangeInline]


@admin.register(CourseProtocolChange)
class CourseProtocolChangeAdmin(SiteScoped, ReadOnlyAdmin):
    """A course's change of protocol mid-course, with its reason (append-only)."""

    site_path = "course__location"
    list_display = ["changed_at", "course", "from_protocol", "protocol", "after_infusions",
                    "changed_by"]  # fmt: skip
    list_select_related = ["course__patient", "course__protocol", "course__location",
                           "from_protocol", "protocol", "changed_by"]  # fmt: skip
    search_fields = ["course__patient__mrn", "course__patient__legal_last_name", "reason"]
    date_hierarchy = "changed_at"


class ConsultationHistoryInline(StatusHistoryInline):
    model = ConsultationStatusChange


@admin.register(Consultation)
class ConsultationAdmin(SiteScoped, ReadOnlyAdmin):
    """Consultations with the physician, booked and moved by the front desk in the app."""

    site_path = "location"
    list_display = ["starts_at", "request", "location", "physician", "mode", "status",
                    "booked_by"]  # fmt: skip
    list_filter = ["status", "mode", "location"]
    list_select_related = ["request", "location", "physician", "booked_by"]
    search_fields = ["request__name", "request__phone"]
    date_hierarchy = "starts_at"
    inlines = [ConsultationHistoryInline]


@admin.register(ConsultationStatusChange)
class ConsultationStatusChangeAdmin(SiteScoped, ReadOnlyAdmin):
    """A consultation's bookings and cancels: who, when, why (append-only)."""

    site_path = "consultation__location"
    list_display = ["consultation", "from_status", "to_status", "changed_at", "changed_by"]
    list_filter = ["to_status"]
    list_select_related = ["consultation", "changed_by"]
    search_fields = ["consultation__request__name", "consultation__request__phone", "reason"]
    date_hierarchy = "changed_at"


class HistoryInline(StatusHistoryInline):
    model = AppointmentStatusChange


@admin.register(Appointment)
class AppointmentAdmin(SiteScoped, ReadOnlyAdmin):
    site_path = "location"
    list_display = [
        "starts_at", "patient", "location", "chair", "nurse", "status", "course", "sequence",
        "escort_confirmed",
    ]  # fmt: skip
    list_filter = ["status", "location", "escort_confirmed"]
    list_select_related = ["patient", "location", "chair__location", "nurse", "course__patient"]
    search_fields = PATIENT_SEARCH
    date_hierarchy = "starts_at"
    inlines = [HistoryInline]
    actions = ["confirm"]

    def has_transition_permission(self, request) -> bool:
        user = request.user
        return user.is_active and user.may(*STAFF)

    @admin.action(description="Mark as confirmed by the patient", permissions=["transition"])
    def confirm(self, request, queryset) -> None:
        """Through appointment_transition, one at a time: a refusal names its appointment."""
        done = 0
        for appointment in queryset.select_related("patient", "chair__location"):
            try:
                appointment_transition(
                    appointment=appointment,
                    to_status=AppointmentStatus.CONFIRMED,
                    changed_by=request.user,
                    reason="Confirmed in the admin",
                )
                done += 1
            except (ValidationError, ConflictError, PermissionDenied) as refused:
                message = "; ".join(getattr(refused, "messages", [str(refused)]))
                self.message_user(request, f"{appointment}: {message}", messages.ERROR)
        if done:
            self.message_user(request, f"{done} appointment(s) confirmed.", messages.SUCCESS)


@admin.register(AppointmentStatusChange)
class AppointmentStatusChangeAdmin(SiteScoped, ReadOnlyAdmin):
    site_path = "appointment__location"
    list_display = ["appointment", "from_status", "to_status", "changed_at", "changed_by"]
    list_filter = ["to_status"]
    list_select_related = [
        "appointment__patient", "appointment__chair__location", "changed_by",
    ]  # fmt: skip
    search_fields = [
        "appointment__patient__mrn", "appointment__patient__legal_last_name", "reason",
    ]  # fmt: skip
    date_hierarchy = "changed_at"


@admin.register(CalendarFeed)
class CalendarFeedAdmin(SiteScoped, ReadOnlyAdmin):
    """Feeds are created and revoked on the patient page; the token is never shown here."""

    site_path = "patient__home_location"

    list_display = ["patient", "created_at", "created_by", "revoked_at"]
    list_filter = ["revoked_at"]
    list_select_related = ["patient", "created_by"]
    search_fields = PATIENT_SEARCH


# The reminders' models (rules, templates, outbox) register their own admin pages.
from .reminders import admin as _reminders_admin  # noqa: E402, F401
