"""Both logs are read-only in the admin: no add, change or delete, whoever asks (the
database refuses UPDATE and DELETE as well)."""

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin

from clinic.admin_roles import NoWrites, ReadOnlyAdmin

from .models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "patient", "kind", "view_name", "ip_address"]
    list_filter = ["kind", "at"]
    list_select_related = ["user", "patient"]
    search_fields = ["patient__mrn", "user__username", "view_name"]
    date_hierarchy = "at"
    raw_id_fields = ["user", "patient"]
    actions = None


admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class ChangeLogAdmin(NoWrites, LogEntryAdmin):
    """auditlog's own admin, without the cascade-delete door it leaves open."""

    actions = None
