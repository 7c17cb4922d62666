from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Location, User
from .two_factor import admin as _two_factor_admin  # noqa: F401 - device list and reset


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "time_zone", "phone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code", "address"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (("Clinic", {"fields": ("locations",)}),)
    filter_horizontal = ("groups", "user_permissions", "locations")
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "groups", "locations"]
