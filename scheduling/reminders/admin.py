"""Admin for reminder rules and wording; the outbox is shown read-only (it is written only
by scheduling and the send task)."""

from django.contrib import admin

from clinic.admin_roles import ReadOnlyAdmin, SiteScoped

from ..models import MessageTemplate, OutboundMessage, ReminderRule, SmsOptOut


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "hours_before", "by_email", "by_sms", "is_active"]
    list_editable = ["hours_before", "by_email", "by_sms", "is_active"]
    list_display_links = ["kind"]
    list_filter = ["kind", "is_active"]


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["kind", "channel", "subject"]
    list_filter = ["kind", "channel"]
    fields = ["kind", "channel", "subject", "body"]


@admin.register(OutboundMessage)
class OutboundMessageAdmin(SiteScoped, ReadOnlyAdmin):
    site_path = "appointment__location"
    list_display = ["send_at", "kind", "channel", "recipient", "status", "reason", "attempts"]
    list_filter = ["status", "kind", "channel"]
    search_fields = ["recipient", "provider_id"]
    date_hierarchy = "send_at"
    list_select_related = ["appointment"]


@admin.register(SmsOptOut)
class SmsOptOutAdmin(ReadOnlyAdmin):
    list_display = ["phone", "recorded_at"]
    search_fields = ["phone"]
