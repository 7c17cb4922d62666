"""Admin access by clinic role, the same rule in every app's admin.

Clinic admins read every record in the admin whatever model permissions their group holds;
``ClinicAdminEdits`` lets them change a model too; ``ReadOnlyAdmin`` is for rows that only
services write (clinical entries, history), which nobody edits in the admin.
``SiteScoped`` keeps everyone but clinic admins to the rows of the sites they work at.
"""

from django.contrib import admin
from django.db.models import Q

from .access import locations_for
from .models import Location
from .roles import Role


def is_clinic_admin(request) -> bool:
    user = request.user
    return user.is_active and user.may(Role.CLINIC_ADMIN)


class SiteScoped:
    """Mixin for a ModelAdmin whose rows belong to a site: ``site_path`` is the lookup from
    the row to its ``Location`` (``"location"``, ``"patient__home_location"``,
    ``"appointment__location"``...).

    Clinic admins and superusers see every row, as before; anyone else (a physician reading
    dose records, staff given a model permission by hand) sees only the rows of the sites
    ``locations_for`` gives them, in the changelist, the change, history and delete pages
    (another site's row is "does not exist") and the autocomplete. ``shared_when_null``: a
    row without a site (a closed day of every site) is everyone's. Site choices in the forms
    are limited the same way.
    """

    site_path: str = ""
    shared_when_null: bool = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_clinic_admin(request):
            return queryset
        here = Q(**{f"{self.site_path}__in": locations_for(request.user)})
        if self.shared_when_null:
            here |= Q(**{f"{self.site_path}__isnull": True})
        return queryset.filter(here)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Location and not is_clinic_admin(request):
            kwargs["queryset"] = locations_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ClinicAdminReads(admin.ModelAdmin):
    def has_module_permission(self, request) -> bool:
        return super().has_module_permission(request) or is_clinic_admin(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) or is_clinic_admin(request)


class ClinicAdminEdits(ClinicAdminReads):
    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) or is_clinic_admin(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) or is_clinic_admin(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) or is_clinic_admin(request)


class NoWrites:
    """Mixin for a ModelAdmin of rows only services write: no add, change or delete."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(NoWrites, ClinicAdminReads):
    pass


class ReadOnlyInline(NoWrites, admin.TabularInline):
    """An inline of rows only services write, shown read-only to clinic admins."""

    extra = 0

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) or is_clinic_admin(request)


class StatusHistoryInline(ReadOnlyInline):
    """A status history (``clinic.append_only.StatusChange`` rows) under its record."""

    fields = ["changed_at", "from_status", "to_status", "changed_by", "reason"]
    readonly_fields = fields
    related = ["changed_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.related)
