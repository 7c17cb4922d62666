"""Project URL conf. As the project's wiring it is the one module that sees every app."""

from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from audit import api as audit_api
from billing import api as billing_api
from billing.api import cards as billing_cards_api
from clinic import api as clinic_api
from clinic import staff_views
from clinic import views as clinic_views
from clinic.two_factor import api as two_factor_api
from clinic.two_factor import views as two_factor_views
from infusions import api as infusions_api
from infusions.api.homes import WorkWaitingView
from outcomes import api as outcomes_api
from outcomes import course_api as outcomes_course_api
from patients import api as patients_api
from reports import api as reports_api
from scheduling import api as scheduling_api
from waitlist import api as waitlist_api

# No ".json" suffix routes: JSON is the only format, and actions do not take the argument.
router = DefaultRouter()
router.include_format_suffixes = False
router.register("locations", clinic_api.LocationViewSet, basename="location")
router.register("patients", patients_api.PatientViewSet, basename="patient")
router.register(
    f"{patients_api.PATIENT}/escorts", patients_api.EscortViewSet, basename="patient-escort"
)
router.register(
    f"{patients_api.PATIENT}/intakes", patients_api.IntakeViewSet, basename="patient-intake"
)
router.register(
    f"{patients_api.PATIENT}/screenings",
    patients_api.ScreeningViewSet,
    basename="patient-screening",
)
router.register(
    f"{patients_api.PATIENT}/weights", patients_api.WeightViewSet, basename="patient-weight"
)
router.register(
    f"{patients_api.PATIENT}/measures", patients_api.MeasureViewSet, basename="patient-measure"
)
router.register(
    f"{patients_api.PATIENT}/consent-signatures",
    patients_api.ConsentSignatureViewSet,
    basename="patient-consent-signature",
)
router.register(
    f"{patients_api.PATIENT}/communication-consents",
    patients_api.CommunicationConsentViewSet,
    basename="patient-communication-consent",
)
router.register(
    "consent-documents", patients_api.ConsentDocumentViewSet, basename="consent-document"
)
router.register(
    "consultation-requests",
    patients_api.ConsultationRequestViewSet,
    basename="consultation-request",
)

router.register("protocols", infusions_api.ProtocolViewSet, basename="protocol")
router.register(
    "protocol-versions", infusions_api.ProtocolVersionViewSet, basename="protocol-version"
)
router.register(
    "dose-calculations", infusions_api.DoseCalculationViewSet, basename="dose-calculation"
)
router.register("dose-orders", infusions_api.DoseOrderViewSet, basename="dose-order")
router.register("dose-checks", infusions_api.DoseCheckViewSet, basename="dose-check")
router.register("lots", infusions_api.LotViewSet, basename="lot")
router.register("drug-log-entries", infusions_api.DrugLogEntryViewSet, basename="drug-log-entry")
router.register(
    "drug-reconciliations", infusions_api.ReconciliationViewSet, basename="drug-reconciliation"
)
router.register("drug-discrepancies", infusions_api.DiscrepancyViewSet, basename="drug-discrepancy")
router.register("drug-inventories", infusions_api.InventoryViewSet, basename="drug-inventory")
router.register("drug-log-report", infusions_api.DrugLogReportViewSet, basename="drug-log-report")
router.register("infusion-records", infusions_api.InfusionRecordViewSet, basename="infusion-record")
router.register("infusion-vitals", infusions_api.VitalsViewSet, basename="infusion-vitals")
router.register("infusion-alerts", infusions_api.AlertViewSet, basename="infusion-alert")
router.register(
    "infusion-alert-acknowledgements",
    infusions_api.AcknowledgementViewSet,
    basename="infusion-alert-acknowledgement",
)
router.register("infusion-events", infusions_api.EventViewSet, basename="infusion-event")
router.register(
    "infusion-corrections", infusions_api.CorrectionViewSet, basename="infusion-correction"
)
router.register(
    "infusion-discharges", infusions_api.DischargeViewSet, basename="infusion-discharge"
)

router.register(
    "measure-schedules", outcomes_api.MeasureScheduleViewSet, basename="measure-schedule"
)
router.register("patient-links", outcomes_api.PatientLinkViewSet, basename="patient-link")
router.register("course-reviews", outcomes_course_api.CourseReviewViewSet, basename="course-review")
router.register(
    "booster-candidates", outcomes_course_api.BoosterCandidateViewSet, basename="booster-candidate"
)

router.register("chairs", scheduling_api.ChairViewSet, basename="chair")
router.register("nurse-shifts", scheduling_api.NurseShiftViewSet, basename="nurse-shift")
router.register("opening-hours", scheduling_api.OpeningHoursViewSet, basename="opening-hours")
router.register("closed-days", scheduling_api.ClosedDayViewSet, basename="closed-day")
router.register("courses", scheduling_api.CourseViewSet, basename="course")
router.register("appointments", scheduling_api.AppointmentViewSet, basename="appointment")
router.register(
    f"{patients_api.PATIENT}/messages", scheduling_api.MessageViewSet, basename="patient-message"
)
router.register(
    f"{patients_api.PATIENT}/calendar-feeds",
    scheduling_api.CalendarFeedViewSet,
    basename="patient-calendar-feed",
)
router.register("consultations", scheduling_api.ConsultationViewSet, basename="consultation")
router.register("waitlist", waitlist_api.WaitlistEntryViewSet, basename="waitlist-entry")
router.register("waitlist-offers", waitlist_api.WaitlistOfferViewSet, basename="waitlist-offer")
router.register(
    f"{patients_api.PATIENT}/coverages", billing_api.CoverageViewSet, basename="patient-coverage"
)
router.register(
    f"{patients_api.PATIENT}/payment-choices",
    billing_api.PaymentChoiceViewSet,
    basename="patient-payment-choice",
)
router.register(
    f"{patients_api.PATIENT}/benefits-checks",
    billing_api.BenefitsCheckViewSet,
    basename="patient-benefits-check",
)
router.register(
    f"{patients_api.PATIENT}/estimates", billing_api.EstimateViewSet, basename="patient-estimate"
)
router.register("price-lists", billing_api.PriceListViewSet, basename="price-list")
router.register("daily-closes", billing_api.DailyCloseViewSet, basename="daily-close")
router.register(
    f"{patients_api.PATIENT}/ledger", billing_api.LedgerViewSet, basename="patient-ledger-entry"
)
router.register(
    f"{patients_api.PATIENT}/card-payments",
    billing_cards_api.CardPaymentViewSet,
    basename="patient-card-payment",
)
router.register(
    f"{patients_api.PATIENT}/packages", billing_cards_api.PackageViewSet, basename="patient-package"
)
router.register(
    f"{patients_api.PATIENT}/superbills", billing_api.SuperbillViewSet, basename="patient-superbill"
)

admin.site.site_header = "Ketamine clinic administration"
admin.site.site_title = "Clinic admin"

urlpatterns = [
    path("", clinic_views.home, name="home"),
    path("healthz", clinic_views.healthz, name="healthz"),
    path("staff/", staff_views.staff_list, name="staff_list"),
    path("staff/<int:pk>/", staff_views.staff_edit, name="staff_edit"),
    path("accounts/login/", two_factor_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("clinic.two_factor.urls")),
    path("admin/", admin.site.urls),
    path("patients/", include("patients.urls")),
    path("scheduling/", include("scheduling.urls")),
    # Reminders: the delivery dashboard, and the public confirmation link and SMS webhook.
    path("", include("scheduling.reminders.urls")),
    path("infusions/", include("infusions.urls")),
    path("waitlist/", include("waitlist.urls")),
    path("outcomes/", include("outcomes.urls")),
    path("billing/", include("billing.urls")),
    path("audit/", include("audit.urls")),
    path("reports/", include("reports.urls")),
    path("fhir/r4/", include("fhir_r4.urls")),
    path("api/v1/reports/", reports_api.DashboardView.as_view(), name="report-dashboard"),
    *[
        path(f"api/v1/reports/{name}/", view.as_view(), name=f"report-{name}")
        for name, view in reports_api.REPORT_VIEWS.items()
    ],
    path(
        "api/v1/audit/patients/<int:pk>/access-log/",
        audit_api.PatientAccessLogView.as_view(),
        name="audit-patient-access",
    ),
    path(
        "api/v1/appointments/<int:pk>/waitlist-candidates/",
        waitlist_api.CandidatesView.as_view(),
        name="appointment-waitlist-candidates",
    ),
    path(
        "api/v1/courses/<int:pk>/due-measures/",
        outcomes_api.CourseDueMeasuresView.as_view(),
        name="course-due-measures",
    ),
    path(
        "api/v1/courses/<int:pk>/outcome/",
        outcomes_course_api.CourseOutcomeView.as_view(),
        name="course-outcome",
    ),
    path(
        "api/v1/protocols/<int:pk>/measure-schedule/",
        outcomes_api.ProtocolMeasureScheduleView.as_view(),
        name="protocol-measure-schedule",
    ),
    path(
        "api/v1/benefits-checks-due/",
        billing_api.ChecksDueView.as_view(),
        name="benefits-checks-due",
    ),
    path(
        "api/v1/patients/<int:patient_pk>/communication-preferences/",
        patients_api.CommunicationPreferencesView.as_view(),
        name="patient-communication-preferences",
    ),
    path("api/v1/balances/", billing_api.BalancesView.as_view(), name="balances"),
    path(
        "api/v1/charges-to-review/",
        billing_cards_api.ChargesToReviewView.as_view(),
        name="charges-to-review",
    ),
    path(
        "api/v1/charges-to-review/<int:pk>/waive/",
        billing_cards_api.ChargeReviewWaiveView.as_view(),
        name="charge-review-waive",
    ),
    path("api/v1/", include(router.urls)),
    path("api/v1/me/", clinic_api.MeView.as_view(), name="api-me"),
    path("api/v1/work-waiting/", WorkWaitingView.as_view(), name="api-work-waiting"),
    path("api/v1/auth/token/", two_factor_api.token_view, name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        # Swagger UI sets style attributes; its script is served from this URL (no inline JS).
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
]

# Under /api/, Django's own refusals (unknown URL, bad request, crash) answer in JSON too.
handler400 = "clinic.views.bad_request"
handler403 = "clinic.views.permission_denied"
handler404 = "clinic.views.page_not_found"
handler500 = "clinic.views.server_error"
