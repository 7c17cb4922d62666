"""Billing in the Django admin. Coverage, choices and checks are read-only (the services
write them, as new rows); clinic admins edit each site's billing details and clinicians'
NPIs."""

from django.contrib import admin

from clinic.admin_roles import ClinicAdminEdits, ReadOnlyAdmin, ReadOnlyInline, SiteScoped

from .models import (
    BenefitsCheck,
    ClinicianNpi,
    Coverage,
    DailyClose,
    DailyCloseReopen,
    DocumentIssue,
    EstimateDelivery,
    EstimateLine,
    GoodFaithEstimate,
    LedgerEntry,
    PaymentChoice,
    PriceItem,
    PriceList,
    SiteBilling,
)

PATIENT_SEARCH = ["patient__mrn", "patient__legal_last_name", "patient__legal_first_name"]


@admin.register(Coverage)
class CoverageAdmin(SiteScoped, ReadOnlyAdmin):
    site_path = "patient__home_location"
    list_display = ["recorded_at", "patient", "rank", "payer_name", "member_id", "ended",
                    "supersedes"]  # fmt: skip
    list_filter = ["rank", "ended"]
    list_select_related = ["patient", "supersedes"]
    search_fields = [*PATIENT_SEARCH, "member_id", "payer_name"]


@admin.register(PaymentChoice)
class PaymentChoiceAdmin(SiteScoped, ReadOnlyAdmin):
    site_path = "patient__home_location"
    list_display = ["recorded_at", "patient", "funding", "recorded_by"]
    list_select_related = ["patient", "recorded_by"]
    search_fields = PATIENT_SEARCH


@admin.register(BenefitsCheck)
class BenefitsCheckAdmin(SiteScoped, ReadOnlyAdmin):
    site_path = "patient__home_location"
    list_display = ["checked_at", "patient", "method", "result", "reference_number",
                    "patient_responsibility_usd"]  # fmt: skip
    list_filter = ["method", "result"]
    list_select_related = ["patient"]
    search_fields = [*PATIENT_SEARCH, "reference_number"]


@admin.register(SiteBilling)
class SiteBillingAdmin(SiteScoped, ClinicAdminEdits):
    site_path = "location"
    list_display = ["location", "practice_name", "npi", "tin", "ketamine_ndc"]
    list_select_related = ["location"]


@admin.register(ClinicianNpi)
class ClinicianNpiAdmin(ClinicAdminEdits):
    list_display = ["clinician", "npi", "credentials"]
    list_select_related = ["clinician"]
    autocomplete_fields = ["clinician"]


class PriceItemInline(ReadOnlyInline):
    model = PriceItem
    fields = ["kind", "infusions", "price_usd", "codes"]
    readonly_fields = fields


@admin.register(PriceList)
class PriceListAdmin(SiteScoped, ReadOnlyAdmin):
    """Read-only: a new version is published on the Prices page (billing.services)."""

    site_path = "location"
    list_display = ["location", "effective_from", "created_by", "created_at"]
    list_select_related = ["location", "created_by"]
    inlines = [PriceItemInline]


class EstimateLineInline(ReadOnlyInline):
    model = EstimateLine
    fields = ["description", "codes", "quantity", "unit_price_usd", "amount_usd"]
    readonly_fields = fields


class EstimateDeliveryInline(ReadOnlyInline):
    model = EstimateDelivery
    fields = ["method", "sent_to", "delivered_at", "delivered_by"]
    readonly_fields = fields


@admin.register(GoodFaithEstimate)
class GoodFaithEstimateAdmin(SiteScoped, ReadOnlyAdmin):
    site_path = "location"
    list_display = ["pk", "patient", "location", "total_usd", "due_by", "issued_at"]
    list_select_related = ["patient", "location"]
    search_fields = PATIENT_SEARCH
    inlines = [EstimateLineInline, EstimateDeliveryInline]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(SiteScoped, ReadOnlyAdmin):
    """Read-only, like the database: entries are added at the desk or through the API."""

    site_path = "location"
    list_display = ["recorded_at", "patient", "kind", "amount_usd", "method", "reference",
                    "recorded_by"]  # fmt: skip
    list_filter = ["kind", "method", "location"]
    list_select_related = ["patient", "recorded_by"]
    search_fields = [*PATIENT_SEARCH, "reference"]


from . import admin_cards  # noqa: E402, F401 - card payments and packages

# --- The daily close and the papers given (billing.models.closing, .documents) ----------------


class DailyCloseReopenInline(ReadOnlyInline):
    model = DailyCloseReopen


@admin.register(DailyClose)
class DailyCloseAdmin(SiteScoped, ReadOnlyAdmin):
    site_path = "location"
    list_display = ["day", "location", "closed_at", "closed_by"]
    list_filter = ["location"]
    list_select_related = ["location", "closed_by"]
    inlines = [DailyCloseReopenInline]


@admin.register(DocumentIssue)
class DocumentIssueAdmin(SiteScoped, ReadOnlyAdmin):
    site_path = "patient__home_location"
    list_display = ["issued_at", "patient", "kind", "method", "sent_to", "issued_by"]
    list_filter = ["kind", "method"]
    list_select_related = ["patient", "issued_by"]
    search_fields = PATIENT_SEARCH
