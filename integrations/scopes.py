"""What an API key may reach: the API's resource groups, the scopes over them, and which URL
belongs to which group.

A key holds scopes like ``patients:read`` or ``scheduling:write`` (write includes read).
Dosing, reports and FHIR are read-only: no scope writes them, so a dose order, a double-check
or a drug-log entry is never written through a key, whatever else the key may do.

Every URL of the API (/api/ and /fhir/) is classified here by its URL name (``URL_GROUPS``);
a URL that is not is refused to every key (fail closed), and
``tests/integrations/test_key_walk.py`` fails on an API URL of the URL conf that is missing,
so a new endpoint is classified when it is added.
"""

from django.db import models
from rest_framework.permissions import SAFE_METHODS

from clinic.roles import Role


class ResourceGroup(models.TextChoices):
    PATIENTS = "patients", "Patients (registration, escorts, consents)"
    SCHEDULING = "scheduling", "Scheduling (courses, appointments, chairs, waitlist)"
    CHARTING = "charting", "Charting (intake, screening, weights, measures, infusion records)"
    DOSING = "dosing", "Dosing and drug log (read only)"
    BILLING = "billing", "Billing (coverage, benefits checks, estimates, prices, ledger)"
    REPORTS = "reports", "Reports (read only)"
    FHIR = "fhir", "FHIR (read only)"


class Scope(models.TextChoices):
    PATIENTS_READ = "patients:read", "Patients: read"
    PATIENTS_WRITE = "patients:write", "Patients: read and write"
    SCHEDULING_READ = "scheduling:read", "Scheduling: read"
    SCHEDULING_WRITE = "scheduling:write", "Scheduling: read and write"
    CHARTING_READ = "charting:read", "Charting: read"
    CHARTING_WRITE = "charting:write", "Charting: read and write"
    DOSING_READ = "dosing:read", "Dosing and drug log: read"
    BILLING_READ = "billing:read", "Billing: read"
    BILLING_WRITE = "billing:write", "Billing: read and write"
    REPORTS_READ = "reports:read", "Reports: read"
    FHIR_READ = "fhir:read", "FHIR: read"


READ_ONLY_GROUPS = frozenset({ResourceGroup.DOSING, ResourceGroup.REPORTS, ResourceGroup.FHIR})

# Reference data without patient data (sites, protocols, consent texts, who am I, counts of
# work waiting): any valid key reads it (as far as its roles do); no key writes it.
COMMON = "common"
# Never through a key: logging in for a token, and the privacy officer's access report.
NO_KEY = "no-key"

# The roles a key's service user holds for its scopes: the services repeat their role rules
# whichever door was used, so a key that may book needs the front desk's role. A key never
# holds the physician's role (clearances, signed orders are a person's act) or the clinic
# admin's (it would see every site). The scope, checked first, is what limits the key; the
# role is what the services ask.
ROLES_FOR_SCOPE: dict[str, tuple[str, ...]] = {
    Scope.PATIENTS_READ: (Role.FRONT_DESK,),
    Scope.PATIENTS_WRITE: (Role.FRONT_DESK,),
    Scope.SCHEDULING_READ: (Role.FRONT_DESK,),
    Scope.SCHEDULING_WRITE: (Role.FRONT_DESK,),
    Scope.CHARTING_READ: (Role.NURSE,),
    Scope.CHARTING_WRITE: (Role.NURSE,),
    Scope.DOSING_READ: (Role.NURSE,),
    Scope.BILLING_READ: (Role.FRONT_DESK,),
    Scope.BILLING_WRITE: (Role.FRONT_DESK,),
    # The reports a front desk sees: the key's own sites' aggregates.
    Scope.REPORTS_READ: (Role.FRONT_DESK,),
    # FHIR reads the clinical record (vitals, doses, measures): the nurse's reading role.
    Scope.FHIR_READ: (Role.NURSE,),
}


# The FHIR endpoints' URL names (fhir_r4/urls.py), spelled here as this module imports no
# app above it.
FHIR_URL_NAMES = (
    "fhir-metadata",
    *(f"fhir-{kind}-{suffix}"
      for kind in ("patient", "questionnaire-response", "encounter", "medication-administration",
                   "appointment")
      for suffix in ("search", "read")),
    "fhir-patient-everything",
    "fhir-observation-search",
    *(f"fhir-observation-{kind}" for kind in ("weight", "vitals", "measure", "phq9-panel")),
)  # fmt: skip


def _router(basename: str, *actions: str, detail: bool = True) -> list[str]:
    """The URL names a DRF router gives a viewset: ``-list``, ``-detail`` and its actions."""
    return [f"{basename}-list", *([f"{basename}-detail"] if detail else []),
            *(f"{basename}-{action}" for action in actions)]  # fmt: skip


def _all(group: str, names: list[str]) -> dict[str, str]:
    return dict.fromkeys(names, group)


URL_GROUPS: dict[str, str] = {
    **_all(COMMON, ["api-root", "api-me", "api-schema", "api-docs", "api-work-waiting"]),
    **_all(COMMON, _router("location") + _router("protocol") + _router("protocol-version")),
    **_all(COMMON, _router("consent-document") + _router("measure-schedule", detail=False)),
    "protocol-measure-schedule": COMMON,
    "api-token": NO_KEY,
    "audit-patient-access": NO_KEY,
    **_all(
        ResourceGroup.PATIENTS,
        _router("patient", "deactivate")
        + _router("patient-escort", "deactivate")
        + _router("patient-consent-signature")
        + _router("patient-communication-consent")
        + ["patient-communication-preferences"]
        + _router("consultation-request", "close", "convert", "stages", "attempts"),
    ),
    **_all(
        ResourceGroup.CHARTING,
        _router("patient-intake")
        + _router("patient-screening", "clearance")
        + _router("patient-weight", "correct")
        + _router("patient-measure", "correct", "phq9-follow-up")
        + _router(
            "infusion-record",
            "complete",
            "discharge-override",
            "early-stop-review",
            "escort-arrived",
            "not-given",
            "pause",
            "recovery",
            "resume",
            "start",
            "stop",
            "stopped-dose",
        )  # fmt: skip
        + _router("infusion-vitals")
        + _router("infusion-alert", detail=False)
        + _router("infusion-alert-acknowledgement", "correct")
        + _router("infusion-event")
        + _router("infusion-correction")
        + _router("infusion-discharge", "correct")
        + ["course-due-measures", "course-outcome"]
        + _router("patient-link", "resend", "revoke")
        + _router("course-review", detail=False),
    ),
    **_all(
        ResourceGroup.DOSING,
        _router("dose-calculation", detail=False)
        + _router("dose-order", "cancel", "override", "sign")
        + _router("dose-check", detail=False)
        + _router("lot")
        + _router("drug-log-entry", "account")
        + _router("drug-reconciliation")
        + _router("drug-discrepancy", "resolve", detail=False)
        + _router("drug-inventory")
        + _router("drug-log-report", detail=False),
    ),
    **_all(
        ResourceGroup.SCHEDULING,
        _router("chair")
        + _router("nurse-shift")
        + _router("opening-hours", detail=False)
        + _router("closed-day")
        + _router("consultation", "cancel", detail=False)
        + _router("course", "propose", "cancel-remaining")
        + _router(
            "appointment",
            "escort-confirm",
            "make-up",
            "reschedule",
            "slots",
            "transition",
            "undo-check-in",
        )  # fmt: skip
        + _router("patient-message")
        + _router("patient-calendar-feed", "revoke")
        + _router("waitlist-entry", "fill", "withdraw")
        + _router("waitlist-offer", "withdraw")
        + ["appointment-waitlist-candidates"]
        + _router("booster-candidate", "book", "options", detail=False),
    ),
    **_all(
        ResourceGroup.BILLING,
        _router("patient-coverage", "change", "end", "check-electronic")
        + _router("patient-payment-choice")
        + _router("patient-benefits-check")
        + _router("patient-estimate", "deliver", "update-estimate")
        + _router("price-list")
        + _router("patient-ledger-entry", "refund")
        + ["balances", "benefits-checks-due"]
        + _router("patient-card-payment", "check", "refund")
        + _router("patient-package", "release")
        + _router("patient-superbill", "pdf")
        + ["charges-to-review", "charge-review-waive"]
        + _router("daily-close", "reopen", "expected"),
    ),
    **_all(
        ResourceGroup.REPORTS,
        ["report-dashboard"]
        + [
            f"report-{name}"
            for name in (
                "attendance",
                "courses",
                "leads",
                "reminders",
                "safety",
                "utilization",
                "package_liability",
                "revenue",
                "balances",
            )  # fmt: skip
        ],
    ),  # fmt: skip
    # /fhir/r4/: the record as FHIR, read only; the CapabilityStatement is reference data.
    "fhir-metadata": COMMON,
    **_all(ResourceGroup.FHIR, [name for name in FHIR_URL_NAMES if name != "fhir-metadata"]),
}


def group_of(url_name: str | None) -> str | None:
    return URL_GROUPS.get(url_name or "")


def writes(method: str) -> bool:
    return method not in SAFE_METHODS


def allows(scopes, group: str | None, *, writing: bool) -> bool:
    """Whether a key with ``scopes`` may call a URL of ``group`` (writing or reading)."""
    if group is None or group == NO_KEY:
        return False
    if group == COMMON:
        return not writing
    if writing and group in READ_ONLY_GROUPS:
        return False
    held = set(scopes)
    return f"{group}:write" in held or (not writing and f"{group}:read" in held)


def roles_for(scopes) -> set[str]:
    return {role for scope in scopes for role in ROLES_FOR_SCOPE.get(scope, ())}
