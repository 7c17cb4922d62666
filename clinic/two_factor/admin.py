"""The clinic admin's view of two-factor devices: who has one, when it was last used, and a
reset for a lost phone. Secrets and backup codes are never shown (django-otp's own admins,
which can show them, are replaced)."""

from django.contrib import admin, messages
from django_otp.plugins.otp_static import admin as _static_admin  # noqa: F401 - registers first
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp import admin as _totp_admin  # noqa: F401 - registers first
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields
    actions = ["reset_two_factor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.two_factor_reset(user=obj.user)

    def delete_queryset(self, request, queryset):
        for device in queryset.select_related("user"):
            services.two_factor_reset(user=device.user)

    @admin.action(
        description="Reset two-factor (lost phone): remove the app and the backup codes",
        permissions=["delete"],
    )
    def reset_two_factor(self, request, queryset):
        users = {device.user for device in queryset.select_related("user")}
        for user in users:
            services.two_factor_reset(user=user)
        self.message_user(
            request,
            f"Two-factor reset for {len(users)} user(s); they set it up again at their next login.",
            messages.SUCCESS,
        )
