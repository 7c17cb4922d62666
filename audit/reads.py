"""The read access log's registry: which views show a patient's record, and how the
patient is found from the request, so one middleware writes one row per read.

``READS`` maps a URL name to a ``PatientFrom``. ``EXEMPT`` names the views of the clinical
apps that show no single patient's record, each with the reason. tests/audit/test_reads.py
walks the URL conf and fails on a view of patients, scheduling, infusions or waitlist that is in
neither, so a new screen cannot be forgotten. Admin change pages of every model that leads
to a patient are registered automatically (``admin_reads``).

The row is written with ``INSERT ... SELECT``: the patient id comes from the object the URL
names (an appointment, an order, a record...) inside the same statement, so a read costs
exactly one query. Only successful GET/HEAD requests of an authenticated user are logged;
writes are in auditlog's change log.
"""

import ipaddress
from collections import deque
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.contrib import admin
from django.db import connection, models
from django.utils import timezone

from clinic.api import id_param
from clinic.role_matrix import FHIR_PATIENT_SEARCHES, REPORT_NAMES
from infusions.steps import CHAIR_STEPS

from .models import AccessKind, AccessLog
from .network import client_ip

API_PATHS = ("/api/", "/fhir/")


@dataclass(frozen=True)
class PatientFrom:
    """The patient of the ``model`` row whose pk is the URL kwarg (or the query parameter
    ``param``; a list without it is not one patient's and is not logged). ``path`` to the
    patient defaults to the shortest chain of foreign keys (``patient_path``)."""

    model: str
    path: str | None = None
    kwarg: str | None = "pk"
    param: str | None = None
    kind: str | None = None  # default: api under /api/, page otherwise


def patient(kwarg="pk", kind=None):
    return PatientFrom("patients.Patient", kwarg=kwarg, kind=kind)


APPOINTMENT = PatientFrom("scheduling.Appointment")
COURSE = PatientFrom("scheduling.Course")
RECORD = PatientFrom("infusions.InfusionRecord")
ORDER = PatientFrom("infusions.DoseOrder")


def by_param(source: PatientFrom, param: str) -> PatientFrom:
    return PatientFrom(source.model, source.path, kwarg=None, param=param)


_API_NESTED = ("escort", "intake", "screening", "weight", "measure", "consent-signature",
               "communication-consent", "message", "calendar-feed")  # fmt: skip
_RECORD_PARTS = {
    "infusion-vitals": "infusions.VitalsReading",
    "infusion-alert-acknowledgement": "infusions.AlertAcknowledgement",
    "infusion-event": "infusions.InfusionEvent",
    "infusion-correction": "infusions.Correction",
    "infusion-discharge": "infusions.Discharge",
}

READS: dict[str, PatientFrom] = {
    # Patient pages and the patient's tabs.
    **{
        f"patients:{name}": patient()
        for name in (
            "detail",
            "edit",
            "deactivate",
            "escort_add",
            "intake_new",
            "screening_new",
            "clearance",
            "weight_new",
            "consent_sign",
            "communication_consent",
            "measure_new",
            "phq9_follow_up",
            "weight_correct",
            "measure_correct",
        )  # fmt: skip
    },
    "scheduling:patient_courses": patient(),
    "scheduling:feed_create": patient(),
    "scheduling:feed_revoke": patient(),
    "scheduling:calendar_download": patient(kind=AccessKind.EXPORT),
    "reminders:patient_messages": patient(),
    # Appointment, course, order and chair screens.
    **{
        f"scheduling:{name}": APPOINTMENT
        for name in (
            "check_in",
            "check_in_undo",
            "escort_confirm",
            "reschedule",
            "make_up",
            "cancel",
            "no_show",
        )
    },
    "scheduling:course_cancel": COURSE,
    **{
        f"infusions:{name}": APPOINTMENT
        for name in ("dose_panel", "order_create", "chair", "chair_check_in")
    },
    "infusions:record_print": PatientFrom("scheduling.Appointment", kind=AccessKind.EXPORT),
    # The chair screen's actions (POST; a GET that answers would be a read of the record).
    **{f"infusions:chair_{step}": RECORD for step in CHAIR_STEPS},
    "infusions:early_stop_reviewed": RECORD,
    **{
        f"infusions:{name}": ORDER
        for name in ("check_create", "order_sign", "order_cancel", "drug_draw", "drug_account")
    },
    # REST API.
    "patient-detail": patient(),
    **{
        f"patient-{part}-{suffix}": patient("patient_pk")
        for part in _API_NESTED
        for suffix in ("list", "detail")
    },
    "patient-screening-clearance": patient("patient_pk"),
    "patient-communication-preferences": patient("patient_pk"),
    "patient-calendar-feed-revoke": patient("patient_pk"),
    "patient-measure-phq9-follow-up": patient("patient_pk"),
    "patient-weight-correct": patient("patient_pk"),
    "patient-measure-correct": patient("patient_pk"),
    "appointment-detail": APPOINTMENT,
    "appointment-slots": APPOINTMENT,
    "appointment-list": by_param(patient(), "patient"),
    "course-detail": COURSE,
    "course-due-measures": COURSE,
    "outcomes:patient_due_measures": patient(),
    "patient-link-list": by_param(patient(), "patient"),
    "patient-link-detail": PatientFrom("outcomes.PatientLink"),
    "outcomes:patient_outcome": patient(),
    "outcomes:course_outcome": COURSE,
    "outcomes:course_letter": PatientFrom("scheduling.Course", kind="export"),
    "outcomes:course_review": COURSE,
    "outcomes:booster_options": COURSE,
    "booster-candidate-options": COURSE,
    "course-outcome": COURSE,
    "course-review-list": by_param(COURSE, "course"),
    "course-list": by_param(patient(), "patient"),
    "dose-order-detail": ORDER,
    "dose-order-list": by_param(APPOINTMENT, "appointment"),
    "dose-check-list": by_param(ORDER, "order"),
    "infusion-record-detail": RECORD,
    "infusion-record-list": by_param(APPOINTMENT, "appointment"),
    **{f"{part}-detail": PatientFrom(model) for part, model in _RECORD_PARTS.items()},
    **{f"{part}-list": by_param(RECORD, "record") for part in _RECORD_PARTS},
    "infusion-alert-list": by_param(RECORD, "record"),
    "drug-log-entry-list": by_param(ORDER, "order"),
    "drug-log-entry-detail": PatientFrom("infusions.DrugLogEntry"),
    # The waitlist: one entry's page and record, and the fill page of a freed session.
    "waitlist:withdraw": PatientFrom("waitlist.WaitlistEntry"),
    "waitlist:fill": APPOINTMENT,
    "waitlist:offer_make": APPOINTMENT,  # a refused offer shows the fill page again
    "waitlist-entry-detail": PatientFrom("waitlist.WaitlistEntry"),
    "waitlist-entry-list": by_param(patient(), "patient"),
    # Billing: the patient's coverage section and its forms, and one patient's API records.
    **{f"billing:{name}": patient() for name in ("patient", "coverage_add", "payment_choice")},
    **{
        f"billing:{name}": PatientFrom("billing.Coverage")
        for name in ("coverage_change", "coverage_end", "check_new", "check_electronic")
    },
    **{
        f"patient-{part}-{suffix}": patient("patient_pk")
        for part in ("coverage", "payment-choice", "benefits-check")
        for suffix in ("list", "detail")
    },
    **{
        f"billing:{name}": PatientFrom("billing.GoodFaithEstimate")
        for name in ("estimate", "estimate_update", "estimate_deliver")
    },  # fmt: skip
    "billing:estimate_new": patient(),
    **{
        f"patient-estimate-{suffix}": patient("patient_pk")
        for suffix in ("list", "detail", "update-estimate", "deliver")
    },  # fmt: skip
    "billing:ledger": patient(),
    "billing:superbill": PatientFrom("scheduling.Appointment", kind=AccessKind.EXPORT),
    "billing:course_superbill": PatientFrom("scheduling.Course", kind=AccessKind.EXPORT),
    "billing:ledger_new": patient(),
    "billing:refund": PatientFrom("billing.LedgerEntry"),
    **{
        f"patient-ledger-entry-{suffix}": patient("patient_pk")
        for suffix in ("list", "detail", "refund")
    },  # fmt: skip
    # Billing: card payments through the provider and course packages, one patient's.
    "billing:card_payment": patient(),
    "billing:packages": patient(),
    **{
        f"patient-{part}-{suffix}": patient("patient_pk")
        for part, actions in (("card-payment", ("check", "refund")), ("package", ("release",)))
        for suffix in ("list", "detail", *actions)
    },  # fmt: skip
    # Superbills issued through the API: the list and one issue are reads of the patient's
    # account; the PDF is an export, as the superbill page is.
    "patient-superbill-list": patient("patient_pk"),
    "patient-superbill-detail": patient("patient_pk"),
    "patient-superbill-pdf": patient("patient_pk", kind=AccessKind.EXPORT),
    "patient-coverage-change": patient("patient_pk"),
    "patient-coverage-end": patient("patient_pk"),
    "patient-coverage-check-electronic": patient("patient_pk"),
    # FHIR R4: reads by id, searches by ``patient=`` and the whole record ($everything).
    "fhir-patient-read": patient(),
    "fhir-patient-everything": patient(kind=AccessKind.EXPORT),
    **{f"fhir-{kind}-search": by_param(patient(), "patient") for kind in FHIR_PATIENT_SEARCHES},
    "fhir-observation-weight": PatientFrom("patients.WeightMeasurement"),
    "fhir-observation-vitals": PatientFrom("infusions.VitalsReading"),
    "fhir-observation-measure": PatientFrom("patients.OutcomeMeasure"),
    "fhir-observation-phq9-panel": PatientFrom("patients.OutcomeMeasure"),
    "fhir-questionnaire-response-read": PatientFrom("patients.OutcomeMeasure"),
    "fhir-encounter-read": RECORD,
    "fhir-medication-administration-read": RECORD,
    "fhir-appointment-read": APPOINTMENT,
    # This app: the access report and the right-of-access export.
    "audit:patient_access": patient(),
    "audit:patient_access_csv": patient(kind=AccessKind.EXPORT),
    "audit:patient_export": patient(kind=AccessKind.EXPORT),
    "audit:patient_export_json": patient(kind=AccessKind.EXPORT),
    "audit-patient-access": patient(),
}

_LIST = "a list across many patients, not one patient's record (each entry's own page is logged)"
_NO_PATIENT = "shows no patient data"
_AGGREGATE = "counts and rates across the user's sites; names no patient"
_POST = "a write (POST only); writes are in the change log"
_DRUG_LOG = "the controlled-substance log: lots and amounts by site; orders appear as ids only"

EXEMPT: dict[str, str] = {
    "patients:list": _LIST,
    "patients:search": _LIST,
    "patients:register": "a blank registration form",
    "patients:contact": "the public contact form",
    "patients:consultations": "requests from the public, before anyone is a patient",
    "patients:consultation_register": "a request from the public, before it is a patient",
    "patients:consultation_close": _POST,
    "patients:consultation_take": "a blank form for a request taken by phone or referral",
    "patients:consultation_attempt": "a request from the public, before it is a patient",
    "scheduling:pipeline": "requests from the public, before anyone is a patient",
    "scheduling:consultation_book": "a request from the public, before it is a patient",
    "scheduling:consultation_cancel": "a consultation of a request from the public",
    "scheduling:board": _LIST,
    "scheduling:week": _LIST,
    "scheduling:todays_patients": _LIST,
    "scheduling:rota": "nurse shifts of a site: no patient data",
    "scheduling:admin_home": "counts and links: no patient data",
    "api-work-waiting": "counts of work waiting: no patient data",
    "scheduling:rota_change": _POST,
    "scheduling:site_setup": "a site's hours and closed days: no patient data",
    "scheduling:site_change": _POST,
    "scheduling:planner": "the course planner; the booked course is logged at its own pages",
    "scheduling:planner_blockers": "booking blockers (flag labels only), loaded by the planner",
    "scheduling:calendar_feed": "fetched by the patient's own calendar with the secret token, "
    "no staff user",
    "reminders:dashboard": _LIST,
    "reminders:follow_up": _LIST,
    "reminders:retry": _POST,
    "reminders:confirm": "the patient's own confirmation link, no staff user",
    "reminders:sms_webhook": "the SMS provider's webhook, no staff user",
    "infusions:nurse_home": _LIST,
    "infusions:open_alerts": _LIST,
    "infusions:physician_home": _LIST,
    "infusions:signing_queue": _LIST,
    "infusions:chair_alerts": "a background poll every 30 s of a chair screen whose opening is "
    "logged; logging it would write a row per chair every 30 s",
    "infusions:lots": _DRUG_LOG,
    "infusions:lot_detail": _DRUG_LOG,
    "infusions:reconcile": _DRUG_LOG,
    "infusions:drug_log_csv": _DRUG_LOG,
    "patient-list": _LIST,
    "consent-document-list": "consent document texts, no patient",
    "consent-document-detail": "a consent document text, no patient",
    "consultation-request-list": "requests from the public, before anyone is a patient",
    "consultation-request-detail": "a request from the public, before it is a patient",
    "consultation-request-close": _POST,
    "consultation-request-convert": _POST,
    "consultation-request-stages": "a request from the public, before it is a patient",
    "consultation-request-attempts": "a request from the public, before it is a patient",
    "consultation-list": "consultations of requests from the public, before they are patients",
    "consultation-cancel": _POST,
    "protocol-list": _NO_PATIENT,
    "protocol-detail": _NO_PATIENT,
    "protocol-version-list": _NO_PATIENT,
    "protocol-version-detail": _NO_PATIENT,
    "measure-schedule-list": _NO_PATIENT,
    "outcomes:reviews_due": _LIST,
    "outcomes:boosters": _LIST,
    "booster-candidate-list": _LIST,
    "outcomes:booster_book": _POST,
    "outcomes:stopped_course_cancel": _POST,
    "outcomes:schedules": _NO_PATIENT,
    "outcomes:schedule": _NO_PATIENT,
    "outcomes:link_send": _POST,
    "outcomes:link_resend": _POST,
    "outcomes:link_revoke": _POST,
    "patient-link-resend": _POST,
    "patient-link-revoke": _POST,
    "outcomes:answer": "the patient's own measures link (signed token, then date of birth), "
    "no staff user",
    "outcomes:answer_step": "the patient's own measures link, no staff user",
    "outcomes:answer_review": "the patient's own measures link, no staff user",
    "outcomes:answer_new_link": "the patient's own measures link, no staff user",
    "outcomes:answer_language": "the patient's own measures link, no staff user",
    "protocol-measure-schedule": _NO_PATIENT,
    "dose-calculation-list": "a calculation from numbers sent by the caller; saves nothing",
    **{f"dose-order-{action}": _POST for action in ("cancel", "override", "sign")},
    **{
        f"infusion-record-{action}": _POST
        for action in ("complete", "pause", "recovery", "resume", "start", "stop")
    },
    "lot-list": _DRUG_LOG,
    "lot-detail": _DRUG_LOG,
    "drug-log-entry-account": _POST,
    "drug-reconciliation-list": _DRUG_LOG,
    "drug-reconciliation-detail": _DRUG_LOG,
    "drug-discrepancy-list": _DRUG_LOG,
    "drug-discrepancy-resolve": _POST,
    "drug-inventory-list": _DRUG_LOG,
    "drug-inventory-detail": _DRUG_LOG,
    "drug-log-report-list": _DRUG_LOG,
    "chair-list": _NO_PATIENT,
    "chair-detail": _NO_PATIENT,
    "nurse-shift-list": _NO_PATIENT,
    "nurse-shift-detail": _NO_PATIENT,
    "opening-hours-list": _NO_PATIENT,
    "closed-day-list": _NO_PATIENT,
    "closed-day-detail": _NO_PATIENT,
    "course-propose": "a proposal computed for the caller; saves nothing",
    "course-cancel-remaining": _POST,
    "appointment-reschedule": _POST,
    "appointment-make-up": _POST,
    "appointment-transition": _POST,
    "waitlist:site": _LIST,
    "appointment-waitlist-candidates": _LIST,
    "waitlist-entry-withdraw": _POST,
    "waitlist-entry-fill": _POST,
    "waitlist-offer-list": _LIST,
    "waitlist-offer-detail": "an offer to several waiting patients: names and answers, no "
    "record (each entry's own record is logged)",
    "waitlist-offer-withdraw": _POST,
    "waitlist:offer_withdraw": "an offer's time, site and how many it went to; no patient",
    "waitlist:offer": "the patient's own waitlist offer link (signed token, then date of "
    "birth), no staff user",
    "reports:dashboard": _AGGREGATE,
    "report-dashboard": _AGGREGATE,
    **{f"reports:{name}": _AGGREGATE for name in REPORT_NAMES},
    **{f"reports:{name}_csv": _AGGREGATE for name in REPORT_NAMES},
    **{f"report-{name}": _AGGREGATE for name in REPORT_NAMES},
    "billing:checks_due": _LIST,
    "benefits-checks-due": _LIST,
    "billing:estimates": _LIST,
    "billing:balances": _LIST,
    "balances": _LIST,
    "billing:prices": _NO_PATIENT,
    **{
        f"billing:{name}": "a POST that gives the paper as a PDF; each issue is a DocumentIssue "
        "row (who, how, to which address, when)"
        for name in ("superbill_send", "course_superbill_send", "estimate_send")
    },
    "billing:closes": "a site's takings by payment method; names no patient",
    "billing:close_day": "a site's takings by payment method; names no patient",
    "billing:close_reopen": _POST,
    "daily-close-list": "a site's takings by payment method; names no patient",
    "daily-close-detail": "a site's takings by payment method; names no patient",
    "daily-close-expected": "a site's takings by payment method; names no patient",
    "daily-close-reopen": _POST,
    "billing:document_link": "the patient's own superbill or estimate link (signed token, then "
    "date of birth), no staff user; the issue is logged when it is made",
    "billing:document_link_pdf": "the patient's own superbill or estimate link, no staff user",
    "price-list-list": _NO_PATIENT,
    "price-list-detail": _NO_PATIENT,
    "fhir-metadata": "the FHIR CapabilityStatement: no patient data",
    "fhir-patient-search": "the view itself logs one row per patient it returns "
    "(audit.reads.log_patients)",
    "billing:charges_to_review": _LIST,
    "charges-to-review": _LIST,
    "billing:charge_review_waive": _POST,
    "charge-review-waive": _POST,
    "billing:card_webhook": "the card provider's webhook (POST only, signature checked), no "
    "staff user",
}


@cache
def patient_path(model: type[models.Model], depth: int = 4) -> str | None:
    """The shortest chain of foreign keys from ``model`` to a patient id, e.g.
    ``record__appointment__patient``; None when the model does not lead to a patient."""
    Patient = apps.get_model("patients", "Patient")
    if model is Patient:
        return "pk"
    queue = deque([(model, "")])
    while queue:
        current, prefix = queue.popleft()
        for field in current._meta.concrete_fields:
            if not field.is_relation or field.related_model is None:
                continue
            if field.related_model is Patient:
                return f"{prefix}{field.name}"
            if prefix.count("__") < depth - 1 and field.related_model._meta.app_label != "clinic":
                queue.append((field.related_model, f"{prefix}{field.name}__"))
    return None


@cache
def admin_reads() -> dict[str, PatientFrom]:
    """The admin change page of every model that leads to a patient."""
    found = {}
    for model in admin.site._registry:
        if (path := patient_path(model)) is not None:
            name = f"admin:{model._meta.app_label}_{model._meta.model_name}_change"
            found[name] = PatientFrom(model._meta.label, path, kwarg="object_id")
    return found


def source_for(view_name: str) -> PatientFrom | None:
    return READS.get(view_name) or admin_reads().get(view_name)


def log_read(request) -> None:
    """Write the access-log row of this request, if it read a registered view."""
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    if match is None or user is None or not user.is_authenticated:
        return
    source = source_for(match.view_name)
    if source is None:
        return
    value = request.GET.get(source.param) if source.param else match.kwargs.get(source.kwarg)
    if source.param and value:
        value = value.removeprefix("Patient/")  # FHIR's patient=Patient/123
    pk = id_param(value)
    if pk is None:
        return
    write(user=user, source=source, pk=pk, view_name=match.view_name,
          kind=source.kind or _kind(request), ip_address=_valid_ip(client_ip(request)))  # fmt: skip


def _kind(request) -> str:
    return AccessKind.API if request.path.startswith(API_PATHS) else AccessKind.PAGE


def log_patients(request, patient_ids, view_name: str) -> None:
    """One row per patient a search returned (FHIR's Patient search), in one INSERT: a
    search by MRN or name shows each patient it finds."""
    AccessLog.objects.bulk_create(
        AccessLog(user=request.user, patient_id=pk, view_name=view_name[:120],
                  kind=_kind(request), ip_address=_valid_ip(client_ip(request)))
        for pk in patient_ids
    )  # fmt: skip


def write(*, user, source: PatientFrom, pk: int, view_name: str, kind: str, ip_address) -> None:
    """One ``INSERT ... SELECT``: no row when the object does not exist."""
    model = apps.get_model(source.model)
    path = source.path or patient_path(model)
    lookup = model._base_manager.filter(pk=pk).values_list(path)[:1]
    select_sql, select_params = lookup.query.sql_with_params()
    table = connection.ops.quote_name(AccessLog._meta.db_table)
    sql = (
        f"INSERT INTO {table} (user_id, patient_id, at, ip_address, view_name, kind) "  # noqa: S608 - names from model meta, values are parameters
        f"SELECT %s, found.patient_id, %s, %s, %s, %s FROM ({select_sql}) AS found(patient_id) "
        "WHERE found.patient_id IS NOT NULL"
    )
    params = (user.pk, timezone.now(), ip_address, view_name[:120], kind, *select_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _valid_ip(address: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None
