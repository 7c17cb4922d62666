"""Waitlist entries, read-only to clinic admins: every change goes through waitlist.services
(the desk's waitlist page and the API), which check the transition table and write history."""

from django.contrib import admin

from clinic.admin_roles import ReadOnlyAdmin, ReadOnlyInline, SiteScoped, StatusHistoryInline

from .models import (
    OfferRecipient,
    OfferStatusChange,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistStatusChange,
)


class EntryHistoryInline(StatusHistoryInline):
    model = WaitlistStatusChange


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(SiteScoped, ReadOnlyAdmin):
    site_path = "location"
    list_display = ["created_at", "patient", "location", "wish", "status", "appointment"]
    list_filter = ["status", "wish", "location"]
    list_select_related = ["patient", "location", "appointment"]
    search_fields = ["patient__mrn", "patient__legal_last_name", "patient__legal_first_name"]
    inlines = [EntryHistoryInline]


class OfferRecipientInline(ReadOnlyInline):
    model = OfferRecipient
    fields = ["patient", "entry", "language", "answer", "answered_at", "failed_dob_attempts"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("patient", "entry")


class OfferHistoryInline(StatusHistoryInline):
    model = OfferStatusChange
    fields = ["changed_at", "from_status", "to_status", "recipient", "changed_by", "reason"]
    readonly_fields = fields
    related = ["changed_by", "recipient"]


@admin.register(WaitlistOffer)
class WaitlistOfferAdmin(SiteScoped, ReadOnlyAdmin):
    site_path = "location"
    list_display = ["created_at", "location", "freed", "status", "automatic", "expires_at"]
    list_filter = ["status", "automatic", "location"]
    list_select_related = ["location", "freed"]
    inlines = [OfferRecipientInline, OfferHistoryInline]
