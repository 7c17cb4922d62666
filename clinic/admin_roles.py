"""Admin access by clinic role, the same rule in every app's admin.

Clinic admins read every record in the admin whatever model permissions their group holds;
``ClinicAdminEdits`` lets them change a model too; ``ReadOnlyAdmin`` is for rows that only
services write (clinical entries, history), which nobody edits in the admin.
"""

from django.contrib import admin

from .roles import Role


def is_clinic_admin(request) -> bool:
    user = request.user
    return user.is_active and (user.is_superuser or user.has_role(Role.CLINIC_ADMIN))


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
