"""Admin for card payments, packages and the charges to review: read-only, like the
database (rows are written at the desk, by the provider's webhook or at completion)."""

from django.contrib import admin

from clinic.admin_roles import ReadOnlyAdmin, ReadOnlyInline, SiteScoped

from .models import (
    CardEvent,
    CardIntent,
    ChargeReview,
    ChargeReviewWaiver,
    PackagePurchase,
    PackageRelease,
    PackageUse,
)

PATIENT_SEARCH = ["patient__mrn", "patient__legal_last_name", "patient__legal_first_name"]


class CardEventInline(ReadOnlyInline):
    model = CardEvent
    fields = readonly_fields = ["received_at", "event_type", "event_id", "ledger_entry", "note"]


@admin.register(CardIntent)
class CardIntentAdmin(SiteScoped, ReadOnlyAdmin):
    site_path = "location"
    list_display = ["created_at", "patient", "amount_usd", "provider", "intent_id", "created_by"]
    list_filter = ["provider", "location"]
    list_select_related = ["patient", "created_by"]
    search_fields = [*PATIENT_SEARCH, "intent_id"]
    inlines = [CardEventInline]


@admin.register(CardEvent)
class CardEventAdmin(SiteScoped, ReadOnlyAdmin):
    """Every provider event received, including those about no payment of ours."""

    site_path = "intent__location"
    shared_when_null = True
    list_display = ["received_at", "event_type", "event_id", "intent", "ledger_entry", "note"]
    list_filter = ["event_type"]
    search_fields = ["event_id", "intent__intent_id"]


class PackageUseInline(ReadOnlyInline):
    model = PackageUse
    fields = readonly_fields = ["used_at", "appointment", "recorded_by"]


class PackageReleaseInline(ReadOnlyInline):
    model = PackageRelease
    fields = readonly_fields = [
        "released_at", "infusions", "amount_usd", "reason", "credit", "released_by",
    ]  # fmt: skip


@admin.register(PackagePurchase)
class PackagePurchaseAdmin(SiteScoped, ReadOnlyAdmin):
    site_path = "location"
    list_display = ["sold_at", "patient", "infusions", "price_usd", "location", "sold_by"]
    list_filter = ["infusions", "location"]
    list_select_related = ["patient", "location", "sold_by"]
    search_fields = PATIENT_SEARCH
    inlines = [PackageUseInline, PackageReleaseInline]


@admin.register(ChargeReview)
class ChargeReviewAdmin(SiteScoped, ReadOnlyAdmin):
    site_path = "appointment__location"
    list_display = ["created_at", "appointment", "reason"]
    list_select_related = ["appointment"]


@admin.register(ChargeReviewWaiver)
class ChargeReviewWaiverAdmin(SiteScoped, ReadOnlyAdmin):
    site_path = "review__appointment__location"
    list_display = ["waived_at", "review", "reason", "waived_by"]
    list_select_related = ["review", "waived_by"]
