from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .accounts import user_deactivate
from .models import Location, User
from .two_factor import admin as _two_factor_admin  # noqa: F401 - device list and reset


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "time_zone", "phone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code", "address"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Staff accounts. A leaver is deactivated, never deleted: their name stays on every
    entry they made, and deactivating ends their sessions and API token at once."""

    fieldsets = BaseUserAdmin.fieldsets + (("Clinic", {"fields": ("locations",)}),)
    filter_horizontal = ("groups", "user_permissions", "locations")
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "groups", "locations"]
    actions = ["deactivate"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # no "delete selected", no delete button, whoever asks

    @admin.action(
        description="Deactivate selected users (logged out now, cannot log in)",
        permissions=["change"],
    )
    def deactivate(self, request, queryset) -> None:
        done = 0
        for user in queryset.filter(is_active=True).order_by("username"):
            if user.pk == request.user.pk:
                self.message_user(
                    request, "You cannot deactivate your own account here.", messages.ERROR
                )
                continue
            user_deactivate(user=user)
            done += 1
        if done:
            self.message_user(
                request,
                f"{done} user(s) deactivated; their sessions and API tokens have ended.",
                messages.SUCCESS,
            )
