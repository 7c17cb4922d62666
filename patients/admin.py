from django.contrib import admin

from .models import Patient


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = [
        "mrn",
        "legal_last_name",
        "legal_first_name",
        "date_of_birth",
        "home_location",
        "is_active",
    ]
    list_filter = ["is_active", "home_location"]
    search_fields = ["mrn", "legal_last_name", "legal_first_name", "preferred_name"]
    readonly_fields = ["mrn", "created_at"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # patients are deactivated, never deleted

    def save_model(self, request, obj, form, change) -> None:
        if not obj.mrn:
            from .services import next_mrn

            obj.mrn = next_mrn()
        super().save_model(request, obj, form, change)
