"""Waitlist entries, read-only to clinic admins: every change goes through waitlist.services
(the desk's waitlist page and the API), which check the transition table and write history."""

from django.contrib import admin

from clinic.admin_roles import ReadOnlyAdmin, ReadOnlyInline, SiteScoped

from .models import WaitlistEntry, WaitlistStatusChange


class StatusHistoryInline(ReadOnlyInline):
    model = WaitlistStatusChange
    fields = ["changed_at", "from_status", "to_status", "changed_by", "reason"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(SiteScoped, ReadOnlyAdmin):
    site_path = "location"
    list_display = ["created_at", "patient", "location", "wish", "status", "appointment"]
    list_filter = ["status", "wish", "location"]
    list_select_related = ["patient", "location", "appointment"]
    search_fields = ["patient__mrn", "patient__legal_last_name", "patient__legal_first_name"]
    inlines = [StatusHistoryInline]
