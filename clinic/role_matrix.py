"""Who may do what: the role matrix as data.

``URLS`` classifies every named URL of the URL conf: which roles get an answer to GET
(``read``), which roles get past the role check of the mutating methods (``write``), and
which object each path argument names. ``ADMIN`` does the same for every model in the Django
admin. ``ACTIONS`` is the table for people (the README's "Who may do what"), each row tied
to the URLs that carry it out.

This module only describes; the rules are enforced where they always were (``role_required``,
``HasRole``, ``require_role`` in the services, the ``*_for(user, ...)`` lookups and the
admin's permission methods). ``tests/clinic/test_role_matrix.py`` walks every URL with every
role and an anonymous visitor and fails where the two disagree, or where a URL or admin
model is not classified here. ``python -m clinic.role_matrix`` rewrites the README table.
"""

from dataclasses import dataclass, field

from . import roles
from .roles import Role

# The reports (reports.selectors.REPORTS), named here so this module imports no app.
REPORT_NAMES = (
    "utilization", "attendance", "leads", "courses", "safety", "reminders", "package_liability",
    "revenue", "balances",
)  # fmt: skip

# The FHIR R4 searches (fhir_r4.urls, ``fhir-<kind>-search``) that name the patient
# (``?patient=``), named here for the same reason; audit.reads logs them by that parameter.
FHIR_PATIENT_SEARCHES = (
    "observation", "questionnaire-response", "encounter", "medication-administration",
    "appointment",
)  # fmt: skip

# The same named groups the code enforces (clinic.roles), as sets for comparison.
FD, NU, PH, CA = Role.FRONT_DESK, Role.NURSE, Role.PHYSICIAN, Role.CLINIC_ADMIN
ROLES = roles.ALL_STAFF
ALL = frozenset(roles.ALL_STAFF)
DESK = frozenset(roles.DESK)
CLINICAL = frozenset(roles.CLINICAL)
CLINICAL_READERS = frozenset(roles.CLINICAL_READERS)
PHYSICIAN = frozenset(roles.PHYSICIANS)
NURSE = frozenset(roles.NURSES)
EDITORS = frozenset(roles.EDITORS)
ADMIN = frozenset(roles.ADMINS)
MANAGERS = frozenset(roles.MANAGERS)
NOBODY: frozenset = frozenset()


@dataclass(frozen=True)
class Access:
    """What one URL answers to each role.

    ``read``: roles whose GET is answered (2xx, or a redirect to a page other than login;
    405 when the URL takes no GET). Every other role gets 403.
    ``write``: roles that get past the role check of ``methods``; every other role gets 403
    and nothing changes.
    ``args``: which object each path argument names (``"=phq9"`` is a literal value); the
    walk fills in a real object at the user's site, then the same object at another site.
    ``public``: why an anonymous visitor may use it (empty: anonymous visitors are sent to
    login, or get 401 from the API).
    """

    read: frozenset = NOBODY
    write: frozenset = NOBODY
    methods: tuple[str, ...] = ()
    gets: bool = True  # False: the URL takes only ``methods`` (GET answers 405)
    args: dict = field(default_factory=dict)
    public: str = ""
    note: str = ""
    # Query parameters naming an object, like ``args`` (FHIR's ``Observation?patient=``).
    query: dict = field(default_factory=dict)


def page(read, **kwargs) -> Access:
    return Access(read=frozenset(read), **kwargs)


def form(roles, **kwargs) -> Access:
    """A page with a form: shown to and posted by the same roles."""
    return Access(read=frozenset(roles), write=frozenset(roles), methods=("POST",), **kwargs)


def action(roles, *, door=None, **kwargs) -> Access:
    """POST only. ``door``: roles whose GET gets 405 rather than 403 (default ``roles``)."""
    door = frozenset(roles if door is None else door)
    return Access(read=door, write=frozenset(roles), methods=("POST",), gets=False, **kwargs)


def api(read, write=NOBODY, methods=("POST",), **kwargs) -> Access:
    """A REST endpoint: ``read`` for GET, ``write`` for ``methods``."""
    write = frozenset(write)
    return Access(read=frozenset(read), write=write, methods=methods if write else (), **kwargs)


def public(reason: str, **kwargs) -> Access:
    return Access(read=ALL, public=reason, **kwargs)


P = {"pk": "patient"}
APPT = {"pk": "appointment"}
ENTRY = {"pk": "waitlist_entry"}
COVERAGE = {"pk": "coverage"}
ESTIMATE = {"pk": "estimate"}
ORDER = {"pk": "order"}
RECORD = {"pk": "record"}


def nested(kind: str) -> dict:
    return {"patient_pk": "patient", "pk": kind}


# The chair screen's charting steps: POST only, nurses and physicians (infusions.views.chair).
CHART_STEPS = [
    "vitals", "start", "pause", "resume", "stop", "side_effect", "complete", "stopped_dose",
    "recovery", "acknowledge", "correct", "discharge", "escort_arrived",
    "correct_acknowledgement", "correct_discharge", "undo_check_in", "not_given",
]  # fmt: skip

URLS: dict[str, Access] = {
    # --- Core --------------------------------------------------------------------------------
    "home": page(ALL, note="redirects to the role's home page"),
    "healthz": public("load balancer health check; no patient data"),
    "login": public("the login page"),
    "logout": public("POST only; logging out an anonymous session is harmless"),
    "two_factor:verify": page(ALL, note="the code step after the password"),
    "two_factor:enrol": page(ALL),
    "two_factor:security": page(ALL),
    "two_factor:backup_codes": action(ALL),
    "two_factor:turn_off": action(ALL, note="refused (a message) where two-factor is required"),
    # --- Audit -------------------------------------------------------------------------------
    "audit:patient_access": page(ADMIN, args=P),
    "audit:patient_access_csv": page(ADMIN, args=P),
    "audit:patient_export": page(ADMIN, args=P),
    "audit:patient_export_json": page(ADMIN, args=P),
    "audit-patient-access": api(ADMIN, args=P),
    # --- Patients (HTML) ---------------------------------------------------------------------
    "patients:list": page(ALL),
    "patients:search": page(ALL),
    "patients:register": form(DESK),
    "patients:contact": public("the public contact form: honeypot and per-IP rate limit"),
    "patients:consultations": page(DESK),
    "patients:consultation_register": form(DESK, args={"pk": "consultation"}),
    "patients:consultation_close": form(DESK, args={"pk": "consultation"}),
    "patients:consultation_take": form(DESK),
    "patients:consultation_attempt": form(DESK, args={"pk": "consultation"}),
    "patients:detail": page(ALL, args=P),
    "patients:edit": form(DESK, args=P),
    "patients:deactivate": form(DESK, args=P),
    "patients:escort_add": form(ALL, args=P),
    "patients:intake_new": form(CLINICAL, args=P),
    "patients:screening_new": form(CLINICAL, args=P),
    "patients:clearance": form(PHYSICIAN, args=P),
    "patients:weight_new": form(CLINICAL, args=P),
    "patients:consent_sign": form(ALL, args={"pk": "patient", "document_pk": "consent_document"}),
    "patients:communication_consent": form(ALL, args=P),
    "patients:measure_new": form(CLINICAL, args={"pk": "patient", "kind": "=phq9"}),
    "patients:phq9_follow_up": form(PHYSICIAN, args={"pk": "patient", "measure_pk": "measure"}),
    "patients:weight_correct": form(CLINICAL, args={"pk": "patient", "weight_pk": "weight"}),
    "patients:measure_correct": form(CLINICAL, args={"pk": "patient", "measure_pk": "measure"}),
    # --- Scheduling (HTML) -------------------------------------------------------------------
    "scheduling:board": page(ALL),
    "scheduling:week": page(ALL),
    "scheduling:escort_confirm": action(DESK, args=APPT),
    "scheduling:todays_patients": page(ALL, note="today's visits, loaded into the patient list"),
    "scheduling:planner": form(DESK),
    "scheduling:pipeline": page(DESK),
    "scheduling:consultation_book": form(DESK, args={"pk": "consultation"}),
    "scheduling:consultation_cancel": form(DESK, args={"pk": "booked_consultation"}),
    "scheduling:planner_blockers": page(DESK),
    "scheduling:rota": page(ADMIN),
    "scheduling:rota_change": action(ADMIN),
    "scheduling:site_setup": page(ADMIN),
    "scheduling:site_change": action(ADMIN),
    "staff_list": page(ADMIN),
    "staff_edit": form(ADMIN, args={"pk": "staff_member"}),
    "scheduling:check_in": action(ALL, args=APPT),
    "scheduling:check_in_undo": action(ALL, args=APPT),
    "scheduling:reschedule": form(DESK, args=APPT),
    "scheduling:make_up": form(DESK, args=APPT),
    "scheduling:cancel": form(DESK, args=APPT),
    "scheduling:no_show": form(DESK, args=APPT),
    "scheduling:course_cancel": form(DESK, args={"pk": "course"}),
    "scheduling:patient_courses": page(ALL, args=P),
    "scheduling:feed_create": action(DESK, args=P),
    "scheduling:feed_revoke": action(DESK, args=P),
    "scheduling:calendar_download": page(ALL, args=P),
    "scheduling:calendar_feed": public(
        "a patient's iCalendar feed: the secret token is the key", args={"token": "=x"}
    ),
    "reminders:dashboard": page(DESK),
    "reminders:follow_up": page(DESK),
    "reminders:retry": action(DESK, args={"pk": "outbound_message"}),
    "reminders:patient_messages": page(ALL, args=P),
    "reminders:confirm": public(
        "the link in a reminder: signed, expires in 7 days", args={"token": "=x"}
    ),
    "reminders:sms_webhook": public("Twilio's inbound texts: POST only, signature checked"),
    # --- Infusions (HTML) --------------------------------------------------------------------
    "infusions:nurse_home": page(NURSE),
    "infusions:open_alerts": page(CLINICAL_READERS),
    "infusions:physician_home": page(PHYSICIAN),
    "infusions:dose_panel": page(CLINICAL_READERS, args=APPT),
    "infusions:order_create": action(CLINICAL, args=APPT),
    "infusions:chair": page(CLINICAL_READERS, args=APPT),
    "infusions:chair_check_in": action(CLINICAL, args=APPT),
    "infusions:chair_alerts": page(CLINICAL_READERS, args=RECORD),
    "infusions:record_print": page(CLINICAL_READERS, args=APPT),
    **{f"infusions:chair_{step}": action(CLINICAL, args=RECORD) for step in CHART_STEPS},
    "infusions:chair_discharge_override": action(PHYSICIAN, args=RECORD),
    "infusions:early_stop_reviewed": action(PHYSICIAN, args=RECORD),
    "infusions:signing_queue": page(PHYSICIAN),
    "infusions:check_create": action(NURSE, args=ORDER),
    "infusions:order_sign": action(
        {PH, NU}, args=ORDER, note="a nurse only activates a standing order (the service checks)"
    ),
    "infusions:order_cancel": action(CLINICAL, args=ORDER),
    "infusions:drug_draw": action(CLINICAL, args=ORDER),
    "infusions:drug_account": action(CLINICAL, args=ORDER),
    "infusions:lots": page(CLINICAL_READERS),
    "infusions:lot_detail": page(CLINICAL_READERS, args={"pk": "lot"}),
    "infusions:reconcile": form(CLINICAL_READERS, args={"location_pk": "location"}),
    "infusions:drug_log_csv": page(CLINICAL_READERS),
    # --- REST API ----------------------------------------------------------------------------
    "api-root": page(ALL),
    "api-me": page(ALL),
    "api-work-waiting": page(ALL),
    "scheduling:admin_home": page(ADMIN),
    "api-token": public("POST username and password for a token (lockout applies)"),
    "api-schema": page(ALL),
    "api-docs": page(ALL),
    "location-list": api(ALL),
    "location-detail": api(ALL, args={"pk": "location"}),
    "patient-list": api(ALL, DESK),
    "patient-detail": api(ALL, DESK, ("PATCH",), args=P),
    "patient-deactivate": action(DESK, door=ALL, args=P),
    "patient-escort-list": api(ALL, ALL, args={"patient_pk": "patient"}),
    "patient-escort-detail": api(ALL, args=nested("escort")),
    "patient-escort-deactivate": action(ALL, args=nested("escort")),
    "patient-intake-list": api(CLINICAL_READERS, CLINICAL, args={"patient_pk": "patient"}),
    "patient-intake-detail": api(CLINICAL_READERS, args=nested("intake")),
    "patient-screening-list": api(CLINICAL_READERS, CLINICAL, args={"patient_pk": "patient"}),
    "patient-screening-detail": api(CLINICAL_READERS, args=nested("screening")),
    "patient-screening-clearance": action(
        PHYSICIAN, door=CLINICAL_READERS, args=nested("screening")
    ),
    "patient-weight-list": api(CLINICAL_READERS, CLINICAL, args={"patient_pk": "patient"}),
    "patient-weight-detail": api(CLINICAL_READERS, args=nested("weight")),
    "patient-weight-correct": action(CLINICAL, door=CLINICAL_READERS, args=nested("weight")),
    "patient-measure-correct": action(CLINICAL, door=CLINICAL_READERS, args=nested("measure")),
    "patient-measure-list": api(CLINICAL_READERS, CLINICAL, args={"patient_pk": "patient"}),
    "patient-measure-detail": api(CLINICAL_READERS, args=nested("measure")),
    "patient-measure-phq9-follow-up": action(
        PHYSICIAN, door=CLINICAL_READERS, args=nested("measure")
    ),
    "patient-consent-signature-list": api(ALL, ALL, args={"patient_pk": "patient"}),
    "patient-consent-signature-detail": api(ALL, args=nested("consent_signature")),
    "patient-communication-consent-list": api(ALL, ALL, args={"patient_pk": "patient"}),
    "patient-communication-consent-detail": api(ALL, args=nested("communication_consent")),
    "patient-communication-preferences": api(ALL, args={"patient_pk": "patient"}),
    "patient-message-list": api(ALL, args={"patient_pk": "patient"}),
    "patient-message-detail": api(ALL, args=nested("outbound_message")),
    "patient-calendar-feed-list": api(ALL, DESK, args={"patient_pk": "patient"}),
    "patient-calendar-feed-detail": api(ALL, args=nested("calendar_feed")),
    "patient-calendar-feed-revoke": action(DESK, door=ALL, args=nested("calendar_feed")),
    "consent-document-list": api(ALL),
    "consent-document-detail": api(ALL, args={"pk": "consent_document"}),
    "consultation-request-list": api(DESK, DESK),
    "consultation-request-stages": api(DESK, args={"pk": "consultation"}),
    "consultation-request-attempts": api(DESK, DESK, args={"pk": "consultation"}),
    "consultation-request-detail": api(DESK, args={"pk": "consultation"}),
    "consultation-request-close": action(DESK, args={"pk": "consultation"}),
    "consultation-request-convert": action(DESK, args={"pk": "consultation"}),
    "protocol-list": api(ALL),
    "protocol-detail": api(ALL, args={"pk": "protocol"}),
    "protocol-version-list": api(ALL, EDITORS),
    "protocol-version-detail": api(ALL, args={"pk": "protocol_version"}),
    # --- Outcomes ----------------------------------------------------------------------------
    "outcomes:schedules": page(ADMIN),
    "outcomes:schedule": form(ADMIN, args={"pk": "protocol"}),
    "outcomes:patient_due_measures": page(ALL, args=P),
    "measure-schedule-list": api(ALL, ADMIN),
    "protocol-measure-schedule": api(ALL, args={"pk": "protocol"}),
    "course-due-measures": api(ALL, args={"pk": "course"}),
    "outcomes:link_send": action(ALL, args={"pk": "course"}),
    "outcomes:link_resend": action(ALL, args={"pk": "patient_link"}),
    "outcomes:link_revoke": action(ALL, args={"pk": "patient_link"}),
    "patient-link-list": api(ALL, ALL),
    "patient-link-detail": api(ALL, args={"pk": "patient_link"}),
    "patient-link-resend": api(ALL, ALL, args={"pk": "patient_link"}, gets=False),
    "patient-link-revoke": api(ALL, ALL, args={"pk": "patient_link"}, gets=False),
    "outcomes:answer": public(
        "the patient's measures link: signed token, then the date of birth", args={"token": "=x"}
    ),
    "outcomes:answer_step": public(
        "a question of the patient's measures link (after the date of birth)",
        args={"token": "=x", "number": "=1"},
    ),
    "outcomes:answer_review": public(
        "sending the patient's answers (after the date of birth)", args={"token": "=x"}
    ),
    "outcomes:answer_new_link": public(
        "POST only: a patient asks for a new link from one that no longer works",
        args={"token": "=x"},
    ),
    "outcomes:answer_language": public(
        "POST only: the patient page's language, kept in the session", args={"token": "=x"}
    ),
    "outcomes:patient_outcome": page(CLINICAL_READERS, args=P),
    "outcomes:course_outcome": page(CLINICAL_READERS, args={"pk": "course"}),
    "outcomes:course_letter": page(CLINICAL_READERS, args={"pk": "course"}),
    "outcomes:course_review": form(PHYSICIAN, args={"pk": "course"}),
    "outcomes:reviews_due": page(PHYSICIAN),
    "outcomes:boosters": page(DESK),
    "outcomes:booster_book": action(DESK, args={"pk": "course"}),
    "outcomes:booster_options": page(DESK, args={"pk": "course"}),
    "outcomes:stopped_course_cancel": action(DESK, args={"pk": "course"}),
    "course-outcome": api(CLINICAL_READERS, args={"pk": "course"}),
    "course-review-list": api(CLINICAL_READERS, PHYSICIAN),
    "booster-candidate-list": api(DESK),
    "booster-candidate-book": action(DESK, args={"pk": "course"}),
    "booster-candidate-options": api(DESK, args={"pk": "course"}),
    "dose-calculation-list": action(CLINICAL_READERS, note="calculates; saves nothing"),
    "dose-order-list": api(CLINICAL_READERS, CLINICAL),
    "dose-order-detail": api(CLINICAL_READERS, args=ORDER),
    "dose-order-cancel": action(CLINICAL, door=CLINICAL_READERS, args=ORDER),
    "dose-order-override": action(PHYSICIAN, door=CLINICAL_READERS, args=ORDER),
    "dose-order-sign": action(
        PHYSICIAN,
        door=CLINICAL_READERS,
        args=ORDER,
        note="a nurse may activate a standing order; without one: 403",
    ),  # fmt: skip
    "dose-check-list": api(CLINICAL_READERS, NURSE),
    "lot-list": api(CLINICAL_READERS, EDITORS),
    "lot-detail": api(CLINICAL_READERS, args={"pk": "lot"}),
    "drug-log-entry-list": api(
        CLINICAL_READERS,
        CLINICAL_READERS,
        note="nurses and physicians draw; physicians and clinic admins adjust (the service checks)",
    ),  # fmt: skip
    "drug-log-entry-account": action(CLINICAL, door=CLINICAL_READERS),
    "drug-log-entry-detail": api(CLINICAL_READERS, args={"pk": "drug_log_entry"}),
    "drug-reconciliation-list": api(CLINICAL_READERS, CLINICAL_READERS),
    "drug-reconciliation-detail": api(CLINICAL_READERS, args={"pk": "reconciliation"}),
    "drug-discrepancy-list": api(CLINICAL_READERS),
    "drug-discrepancy-resolve": action(ADMIN, door=CLINICAL_READERS, args={"pk": "discrepancy"}),
    "drug-inventory-list": api(CLINICAL_READERS, EDITORS),
    "drug-inventory-detail": api(CLINICAL_READERS, args={"pk": "inventory"}),
    "drug-log-report-list": api(CLINICAL_READERS),
    "infusion-record-list": api(CLINICAL_READERS, CLINICAL),
    "infusion-record-detail": api(CLINICAL_READERS, args=RECORD),
    **{
        f"infusion-record-{step}": action(CLINICAL, door=CLINICAL_READERS, args=RECORD)
        for step in ("start", "pause", "resume", "stop", "complete", "recovery", "not-given")
    },
    "infusion-record-escort-arrived": action(CLINICAL, door=CLINICAL_READERS, args=RECORD),
    "infusion-record-stopped-dose": action(CLINICAL, door=CLINICAL_READERS, args=RECORD),
    "infusion-record-discharge-override": action(PHYSICIAN, door=CLINICAL_READERS, args=RECORD),
    "infusion-record-early-stop-review": action(PHYSICIAN, door=CLINICAL_READERS, args=RECORD),
    "infusion-alert-acknowledgement-correct": action(
        CLINICAL, door=CLINICAL_READERS, args={"pk": "acknowledgement"}
    ),
    "infusion-discharge-correct": action(CLINICAL, door=CLINICAL_READERS, args={"pk": "discharge"}),
    "infusion-vitals-list": api(CLINICAL_READERS, CLINICAL),
    "infusion-vitals-detail": api(CLINICAL_READERS, args={"pk": "vitals"}),
    "infusion-alert-list": api(CLINICAL_READERS),
    "infusion-alert-acknowledgement-list": api(CLINICAL_READERS, CLINICAL),
    "infusion-alert-acknowledgement-detail": api(CLINICAL_READERS, args={"pk": "acknowledgement"}),
    "infusion-event-list": api(CLINICAL_READERS, CLINICAL),
    "infusion-event-detail": api(CLINICAL_READERS, args={"pk": "event"}),
    "infusion-correction-list": api(CLINICAL_READERS, CLINICAL),
    "infusion-correction-detail": api(CLINICAL_READERS, args={"pk": "correction"}),
    "infusion-discharge-list": api(CLINICAL_READERS, CLINICAL),
    "infusion-discharge-detail": api(CLINICAL_READERS, args={"pk": "discharge"}),
    "chair-list": api(ALL),
    "chair-detail": api(ALL, args={"pk": "chair"}),
    "nurse-shift-list": api(ALL, ADMIN),
    "nurse-shift-detail": api(ALL, ADMIN, ("DELETE",), args={"pk": "nurse_shift"}),
    "opening-hours-list": api(ALL),
    "closed-day-list": api(ALL, ADMIN),
    "closed-day-detail": api(ALL, ADMIN, ("DELETE",), args={"pk": "closed_day"}),
    "course-list": api(ALL, DESK),
    "course-propose": action(DESK, door=ALL),
    "course-detail": api(ALL, args={"pk": "course"}),
    "course-cancel-remaining": action(DESK, door=ALL, args={"pk": "course"}),
    "appointment-list": api(ALL),
    "consultation-list": api(DESK, DESK),
    "consultation-cancel": action(DESK, args={"pk": "booked_consultation"}),
    "appointment-detail": api(ALL, args=APPT),
    "appointment-reschedule": action(DESK, door=ALL, args=APPT),
    "appointment-slots": api(DESK, args=APPT),
    "appointment-make-up": action(DESK, door=ALL, args=APPT),
    "appointment-escort-confirm": action(DESK, door=ALL, args=APPT),
    "appointment-transition": action(
        ALL, args=APPT, note="which status a role may set: APPOINTMENT_STATUS_ROLES"
    ),
    "appointment-undo-check-in": action(
        ALL, args=APPT, note="a check-in opened at the chair is undone by a nurse or physician"
    ),
    "waitlist:site": form(DESK),
    "waitlist:withdraw": form(DESK, args=ENTRY),
    "waitlist:fill": form(DESK, args=APPT),
    "waitlist:offer_make": action(DESK, args=APPT),
    "waitlist:offer_withdraw": form(DESK, args={"pk": "waitlist_offer"}),
    "waitlist:offer": public(
        "the patient's waitlist offer link: signed token, then the date of birth",
        args={"token": "=x"},
    ),
    "waitlist-entry-list": api(DESK, DESK),
    "waitlist-entry-detail": api(DESK, args=ENTRY),
    "waitlist-entry-withdraw": action(DESK, args=ENTRY),
    "waitlist-entry-fill": action(DESK, args=ENTRY),
    "appointment-waitlist-candidates": api(DESK, args=APPT),
    "waitlist-offer-list": api(DESK, DESK),
    "waitlist-offer-detail": api(DESK, args={"pk": "waitlist_offer"}),
    "waitlist-offer-withdraw": action(DESK, args={"pk": "waitlist_offer"}),
    # --- Reports: aggregates of the user's sites, no patient ---------------------------------
    "reports:dashboard": page(MANAGERS),
    "report-dashboard": api(MANAGERS),
    **{f"reports:{name}": page(MANAGERS) for name in REPORT_NAMES},
    **{f"reports:{name}_csv": page(MANAGERS) for name in REPORT_NAMES},
    **{f"report-{name}": api(MANAGERS) for name in REPORT_NAMES},
    # --- FHIR R4 (read only; searches of clinical resources name the patient) ----------------
    "fhir-metadata": api(ALL),
    "fhir-patient-search": api(CLINICAL_READERS),
    "fhir-patient-read": api(CLINICAL_READERS, args=P),
    "fhir-patient-everything": api(CLINICAL_READERS, args=P),
    **{
        f"fhir-{kind}-search": api(CLINICAL_READERS, query={"patient": "patient"})
        for kind in FHIR_PATIENT_SEARCHES
    },
    "fhir-observation-weight": api(CLINICAL_READERS, args={"pk": "weight"}),
    "fhir-observation-vitals": api(CLINICAL_READERS, args={"pk": "vitals", "part": "=bp"}),
    "fhir-observation-measure": api(CLINICAL_READERS, args={"pk": "measure"}),
    "fhir-observation-phq9-panel": api(CLINICAL_READERS, args={"pk": "measure"}),
    "fhir-questionnaire-response-read": api(CLINICAL_READERS, args={"pk": "measure"}),
    "fhir-encounter-read": api(CLINICAL_READERS, args=RECORD),
    # A started infusion's dose (the walk's record is only checked in).
    "fhir-medication-administration-read": api(CLINICAL_READERS, args={"pk": "administration"}),
    "fhir-appointment-read": api(CLINICAL_READERS, args=APPT),
    # --- Billing -----------------------------------------------------------------------------
    "billing:checks_due": page(DESK),
    "billing:patient": page(DESK, args=P),
    "billing:coverage_add": form(DESK, args=P),
    "billing:payment_choice": action(DESK, args=P),
    "billing:coverage_change": form(DESK, args=COVERAGE),
    "billing:coverage_end": form(DESK, args=COVERAGE),
    "billing:check_new": form(DESK, args=COVERAGE),
    "billing:check_electronic": action(DESK, args=COVERAGE),
    "patient-coverage-list": api(DESK, DESK, args={"patient_pk": "patient"}),
    "patient-coverage-detail": api(DESK, args=nested("coverage")),
    "patient-coverage-change": action(DESK, args=nested("coverage")),
    "patient-coverage-end": action(DESK, args=nested("coverage")),
    "patient-coverage-check-electronic": action(DESK, args=nested("coverage")),
    "patient-payment-choice-list": api(DESK, DESK, args={"patient_pk": "patient"}),
    "patient-payment-choice-detail": api(DESK, args=nested("payment_choice")),
    "patient-benefits-check-list": api(DESK, DESK, args={"patient_pk": "patient"}),
    "patient-benefits-check-detail": api(DESK, args=nested("benefits_check")),
    "benefits-checks-due": api(DESK),
    "billing:prices": Access(read=DESK, write=ADMIN, methods=("POST",)),
    "billing:estimates": page(DESK),
    "billing:estimate_new": form(DESK, args=P),
    "billing:estimate": page(DESK, args=ESTIMATE),
    "billing:estimate_update": form(DESK, args=ESTIMATE),
    "billing:estimate_deliver": action(DESK, args=ESTIMATE),
    "price-list-list": api(DESK, ADMIN),
    "price-list-detail": api(DESK, args={"pk": "price_list"}),
    "patient-estimate-list": api(DESK, DESK, args={"patient_pk": "patient"}),
    "patient-estimate-detail": api(DESK, args=nested("estimate")),
    "patient-estimate-update-estimate": action(DESK, args=nested("estimate")),
    "patient-estimate-deliver": action(DESK, args=nested("estimate")),
    "billing:balances": page(DESK),
    "billing:ledger": page(DESK, args=P),
    "billing:ledger_new": form(DESK, args={"pk": "patient", "kind": "=payment"}),
    "billing:refund": form(DESK, args={"pk": "ledger_entry"}),
    "patient-ledger-entry-list": api(DESK, DESK, args={"patient_pk": "patient"}),
    "patient-ledger-entry-detail": api(DESK, args=nested("ledger_entry")),
    "patient-ledger-entry-refund": action(DESK, args=nested("ledger_entry")),
    "balances": api(DESK),
    "billing:superbill": page(DESK, args=APPT),
    "billing:course_superbill": page(DESK, args={"pk": "course"}),
    # Card payments through the provider, course packages, visits to charge by hand.
    "billing:card_payment": form(DESK, args=P),
    "billing:packages": form(DESK, args=P),
    "billing:charges_to_review": page(DESK),
    "billing:charge_review_waive": action(DESK, args={"pk": "charge_review"}),
    "billing:card_webhook": Access(
        read=ALL,
        methods=("POST",),
        gets=False,
        public="the card provider's events: POST only, signature checked, CSRF-exempt",
    ),
    "patient-card-payment-list": api(DESK, DESK, args={"patient_pk": "patient"}),
    "patient-card-payment-detail": api(DESK, args=nested("card_intent")),
    "patient-card-payment-check": action(DESK, args=nested("card_intent")),
    "patient-card-payment-refund": action(DESK, args=nested("card_intent")),
    "patient-package-list": api(DESK, DESK, args={"patient_pk": "patient"}),
    "patient-package-detail": api(DESK, args=nested("package")),
    "patient-package-release": action(DESK, args=nested("package")),
    "charges-to-review": api(DESK),
    "charge-review-waive": action(DESK, args={"pk": "charge_review"}),
    "patient-superbill-list": api(DESK, DESK, args={"patient_pk": "patient"}),
    "patient-superbill-detail": api(DESK, args=nested("superbill_issue")),
    "patient-superbill-pdf": api(DESK, args=nested("superbill_issue")),
    # The daily close and the papers as PDF files (billing.views.closing, .documents).
    "billing:superbill_send": action(DESK, args=APPT),
    "billing:course_superbill_send": action(DESK, args={"pk": "course"}),
    "billing:estimate_send": action(DESK, args=ESTIMATE),
    "billing:closes": page(DESK),
    "billing:close_day": form(DESK, args={"pk": "location"}),
    "billing:close_reopen": action(ADMIN, args={"pk": "daily_close"}),
    "billing:document_link": public(
        "the patient's superbill or estimate link: signed token, then the date of birth",
        args={"token": "=x"},
    ),
    "billing:document_link_pdf": public(
        "the PDF of the patient's link, once the date of birth is proven", args={"token": "=x"}
    ),
    "daily-close-list": api(DESK, DESK),
    "daily-close-detail": api(DESK, args={"pk": "daily_close"}),
    "daily-close-reopen": api(DESK, ADMIN, args={"pk": "daily_close"}, gets=False),
    "daily-close-expected": api(DESK),
}

# Parts of a page with their own rule: the patient page's tabs. The front desk sees the
# flags on every tab but not the clinical tabs themselves.
PATIENT_TABS = {
    "overview": ALL, "courses": ALL, "intake": CLINICAL_READERS, "screening": CLINICAL_READERS,
    "consent": ALL, "measures": CLINICAL_READERS, "weights": CLINICAL_READERS, "history": ALL,
    "billing": DESK,
}  # fmt: skip
VARIANTS: dict[str, Access] = {
    f"patients:detail?tab={tab}": page(roles, args=P) for tab, roles in PATIENT_TABS.items()
}

# Through the API's transition endpoint, who may move an appointment to each status: the
# same people as on the pages (cancel and no-show are the front desk's; in chair and
# completed follow the chair screen).
APPOINTMENT_STATUS_ROLES = {
    "scheduled": ALL,
    "confirmed": ALL,
    "checked_in": ALL,
    "cancelled": DESK,
    "no_show": DESK,
    "in_chair": CLINICAL,
    "completed": CLINICAL,
}


# --- The Django admin -------------------------------------------------------------------------
# Who may view, add, change and delete each model once they can open the admin at all (a user
# needs is_staff for that; clinic admins have it). The walk makes every role staff, so that the
# role, not the flag, is what is tested.


@dataclass(frozen=True)
class AdminAccess:
    view: frozenset = NOBODY
    add: frozenset = NOBODY
    change: frozenset = NOBODY
    delete: frozenset = NOBODY


def admin_rows(view=ADMIN, add=NOBODY, change=NOBODY, delete=NOBODY) -> AdminAccess:
    return AdminAccess(frozenset(view), frozenset(add), frozenset(change), frozenset(delete))


READ_ONLY = admin_rows()  # clinic admins read; only the services write
EDITED = admin_rows(ADMIN, ADMIN, ADMIN, ADMIN)
PROTOCOLS = admin_rows(EDITORS, EDITORS, EDITORS)
DOSE_RECORDS = admin_rows(EDITORS)
SERVICE_ONLY = admin_rows(NOBODY)  # charting rows: read in the app (the chart), not here

ADMIN_MODELS: dict[str, AdminAccess] = {
    "auth.group": admin_rows(ADMIN),
    "clinic.location": admin_rows(ALL, ADMIN, ADMIN),
    "clinic.user": admin_rows(ADMIN, ADMIN, ADMIN),
    "authtoken.tokenproxy": admin_rows(NOBODY),
    "axes.accessattempt": admin_rows(NOBODY),
    "axes.accesslog": admin_rows(NOBODY),
    "axes.accessfailurelog": admin_rows(NOBODY),
    "patients.patient": admin_rows(ADMIN, ADMIN, ADMIN),
    "patients.escortcontact": READ_ONLY,
    "patients.clinicalintake": READ_ONLY,
    "patients.priortreatment": READ_ONLY,
    "patients.screening": READ_ONLY,
    "patients.clearance": READ_ONLY,
    "patients.weightmeasurement": READ_ONLY,
    "patients.outcomemeasure": READ_ONLY,
    "patients.phq9followup": READ_ONLY,
    "patients.consentdocument": admin_rows(ADMIN, ADMIN, ADMIN),
    "patients.consentsignature": READ_ONLY,
    "patients.communicationconsent": READ_ONLY,
    "patients.consultationrequest": READ_ONLY,
    "patients.consultationstagechange": READ_ONLY,
    "patients.contactattempt": READ_ONLY,
    "scheduling.locationschedule": EDITED,
    "scheduling.openinghours": EDITED,
    "scheduling.closedday": EDITED,
    "scheduling.chair": admin_rows(ALL, ADMIN, ADMIN),
    "scheduling.chairoutofservice": EDITED,
    "scheduling.nurseshift": EDITED,
    "scheduling.visittemplate": EDITED,
    "scheduling.course": READ_ONLY,
    "scheduling.courseprotocolchange": READ_ONLY,
    "scheduling.consultation": READ_ONLY,
    "scheduling.consultationstatuschange": READ_ONLY,
    "scheduling.appointment": READ_ONLY,
    "scheduling.appointmentstatuschange": READ_ONLY,
    "scheduling.calendarfeed": READ_ONLY,
    "scheduling.reminderrule": admin_rows(ADMIN, ADMIN, ADMIN),
    "scheduling.messagetemplate": admin_rows(ADMIN, ADMIN, ADMIN),
    "scheduling.outboundmessage": READ_ONLY,
    "scheduling.smsoptout": READ_ONLY,
    "waitlist.waitlistentry": READ_ONLY,
    "waitlist.waitlistoffer": READ_ONLY,
    "billing.coverage": READ_ONLY,
    "billing.paymentchoice": READ_ONLY,
    "billing.benefitscheck": READ_ONLY,
    "billing.sitebilling": EDITED,
    "billing.cliniciannpi": EDITED,
    "billing.pricelist": READ_ONLY,
    "billing.goodfaithestimate": READ_ONLY,
    "billing.ledgerentry": READ_ONLY,
    "billing.cardintent": READ_ONLY,
    "billing.cardevent": READ_ONLY,
    "billing.packagepurchase": READ_ONLY,
    "billing.chargereview": READ_ONLY,
    "billing.chargereviewwaiver": READ_ONLY,
    "billing.dailyclose": READ_ONLY,
    "billing.documentissue": READ_ONLY,
    "protocols.protocol": PROTOCOLS,
    "protocols.protocolversion": PROTOCOLS,
    "outcomes.measureschedule": READ_ONLY,
    "outcomes.patientlink": READ_ONLY,
    "outcomes.coursereview": READ_ONLY,
    "infusions.doseorder": DOSE_RECORDS,
    "infusions.dosecheck": DOSE_RECORDS,
    "infusions.druglogentry": DOSE_RECORDS,
    "infusions.lot": admin_rows(EDITORS, EDITORS),
    "infusions.infusionrecord": SERVICE_ONLY,
    "infusions.infusionstatusevent": SERVICE_ONLY,
    "infusions.vitalsreading": SERVICE_ONLY,
    "infusions.alert": SERVICE_ONLY,
    "infusions.alertacknowledgement": SERVICE_ONLY,
    "infusions.alertbreach": SERVICE_ONLY,
    "infusions.alertescalation": SERVICE_ONLY,
    "infusions.infusionevent": SERVICE_ONLY,
    "infusions.discharge": SERVICE_ONLY,
    "infusions.correction": SERVICE_ONLY,
    "infusions.escortentry": SERVICE_ONLY,
    "infusions.comfortapplied": SERVICE_ONLY,
    "audit.accesslog": READ_ONLY,
    "auditlog.logentry": READ_ONLY,
    "otp_totp.totpdevice": admin_rows(ADMIN, delete=ADMIN),
    "integrations.apikey": admin_rows(ADMIN, ADMIN, ADMIN),  # never deleted: revoked
    "integrations.keycall": READ_ONLY,
    "integrations.webhooksubscription": admin_rows(ADMIN, ADMIN, ADMIN),
    "integrations.webhookdelivery": READ_ONLY,
}


# --- The table for people ---------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One row of the README table. ``urls`` are ``(url name, "read" | "write")``: the walk
    checks that each lets exactly ``roles`` through (or, with ``shared``, at least them:
    that URL also serves another row)."""

    label: str
    roles: frozenset
    urls: tuple[tuple[str, str], ...] = ()
    admin: tuple[tuple[str, str], ...] = ()  # (model, "view" | "add" | "change")
    shared: frozenset = NOBODY  # url names that also serve other rows
    note: str = ""


def _a(label, roles, urls=(), admin=(), shared=(), note="") -> Action:
    return Action(label, frozenset(roles), tuple(urls), tuple(admin), frozenset(shared), note)


def R(*names):
    return [(name, "read") for name in names]


def W(*names):
    return [(name, "write") for name in names]


ACTIONS: list[Action] = [
    _a("Search patients; see registration, flags, courses, consent, history", ALL,
       R("patients:list", "patients:search", "patients:detail", "scheduling:patient_courses",
         "scheduling:todays_patients",
         "patient-list", "patient-detail")),
    _a("Register a patient, edit the registration, deactivate", DESK,
       W("patients:register", "patients:edit", "patients:deactivate", "patient-list",
         "patient-detail", "patient-deactivate")),
    _a("Work the contact-form queue (register or close a request)", DESK,
       R("patients:consultations", "consultation-request-list")
       + W("patients:consultation_register", "patients:consultation_close",
           "consultation-request-close", "consultation-request-convert")),
    _a("Work the request pipeline: take phone and referral requests, record contact "
       "attempts, book and cancel consultations, see stage history", DESK,
       R("scheduling:pipeline", "consultation-request-stages")
       + W("patients:consultation_take", "patients:consultation_attempt",
           "scheduling:consultation_book", "scheduling:consultation_cancel",
           "consultation-request-list", "consultation-request-attempts", "consultation-list",
           "consultation-cancel")),
    _a("Add or remove an escort", ALL,
       W("patients:escort_add", "patient-escort-list", "patient-escort-deactivate")),
    _a("Witness a consent signature; record SMS and email consent", ALL,
       W("patients:consent_sign", "patients:communication_consent",
         "patient-consent-signature-list", "patient-communication-consent-list")),
    _a("See a patient's messages with their delivery, and how they may be contacted", ALL,
       R("reminders:patient_messages", "patient-message-list",
         "patient-communication-preferences")),
    _a("See intake, screening answers, outcome measures and weights", CLINICAL_READERS,
       R("patient-intake-list", "patient-screening-list", "patient-measure-list",
         "patient-weight-list"),
       note="the front desk sees only the flags: needs clearance, PHQ-9 follow-up"),
    _a("Record intake and screening", CLINICAL,
       W("patients:intake_new", "patients:screening_new", "patient-intake-list",
         "patient-screening-list")),
    _a("Clear a patient whose screening raised a flag", PHYSICIAN,
       W("patients:clearance", "patient-screening-clearance")),
    _a("Record a weight", CLINICAL, W("patients:weight_new", "patient-weight-list")),
    _a("Record outcome measures (pain, FIQR, ACR, PHQ-9)", CLINICAL,
       W("patients:measure_new", "patient-measure-list")),
    _a("Correct a weight or an outcome measure (a new entry with the reason)", CLINICAL,
       W("patients:weight_correct", "patients:measure_correct", "patient-weight-correct",
         "patient-measure-correct")),
    _a("Record the same-day PHQ-9 item 9 follow-up", PHYSICIAN,
       W("patients:phq9_follow_up", "patient-measure-phq9-follow-up")),
    _a("See the work waiting for one's role, with counts (home page strip, API)", ALL,
       R("api-work-waiting")),
    _a("Open the clinic admin's home (work waiting, set-up screens)", ADMIN,
       R("scheduling:admin_home")),
    _a("See the day board and week of one's own sites", ALL,
       R("scheduling:board", "scheduling:week", "appointment-list", "course-list")),
    _a("Check a patient in at the board", ALL, W("scheduling:check_in")),
    _a("Undo a check-in with nothing charted (with the reason)", ALL,
       W("scheduling:check_in_undo", "appointment-undo-check-in"),
       note="a check-in opened at the chair: a nurse or physician, on the chair screen"),
    _a("Confirm a visit's escort by phone, in one click (board card, unconfirmed list)", DESK,
       W("scheduling:escort_confirm", "appointment-escort-confirm")),
    _a("Plan and book a course", DESK,
       W("scheduling:planner", "course-list", "course-propose")),
    _a("Reschedule, cancel, mark no-show, cancel the rest of a course", DESK,
       W("scheduling:reschedule", "scheduling:cancel", "scheduling:no_show",
         "scheduling:course_cancel", "appointment-reschedule", "course-cancel-remaining")
       + R("appointment-slots")),
    _a("Book a make-up session for a cancelled one, after the course's last", DESK,
       W("scheduling:make_up", "appointment-make-up")),
    _a("Keep a site's waitlist: add, withdraw, fill a freed chair or offer it by link", DESK,
       W("waitlist:site", "waitlist:withdraw", "waitlist:fill", "waitlist:offer_make",
         "waitlist:offer_withdraw", "waitlist-entry-list",
         "waitlist-entry-withdraw", "waitlist-entry-fill", "waitlist-offer-list",
         "waitlist-offer-withdraw")
       + R("waitlist-entry-detail", "appointment-waitlist-candidates", "waitlist-offer-detail"),
       note="the admin lists the entries read-only; changes go through the waitlist"),
    _a("Coverage and who pays: add, change, end (each a new version); benefits checks by "
       "phone, portal or electronically; the checks due before new courses", DESK,
       R("billing:patient", "billing:checks_due", "patient-coverage-detail",
         "patient-payment-choice-detail", "patient-benefits-check-detail",
         "benefits-checks-due")
       + W("billing:coverage_add", "billing:payment_choice", "billing:coverage_change",
           "billing:coverage_end", "billing:check_new", "billing:check_electronic",
           "patient-coverage-list", "patient-coverage-change", "patient-coverage-end",
           "patient-coverage-check-electronic", "patient-payment-choice-list",
           "patient-benefits-check-list"),
       note="the admin lists them read-only"),
    _a("See prices; issue, update, print and give Good Faith Estimates to self-pay patients",
       DESK,
       R("billing:estimates", "billing:estimate", "price-list-detail", "patient-estimate-detail")
       + W("billing:estimate_new", "billing:estimate_update", "billing:estimate_deliver",
           "patient-estimate-list", "patient-estimate-update-estimate",
           "patient-estimate-deliver"),
       note="each estimate is kept as issued; an update replaces it with a reason"),
    _a("Patient accounts: charge, take a payment (card terminal reference, cash, check, "
       "HSA/FSA), refund a payment, adjust with a reason; balances owed", DESK,
       R("billing:ledger", "billing:balances", "patient-ledger-entry-detail", "balances")
       + W("billing:ledger_new", "billing:refund", "patient-ledger-entry-list",
           "patient-ledger-entry-refund"),
       note="append-only: the database refuses UPDATE and DELETE; no card numbers"),
    _a("Card payments through the provider (start, check, refund), sell course packages and "
       "give back unused infusions; charges to review (completed visits with no price): "
       "charge or waive with a reason", DESK,
       R("billing:charges_to_review", "patient-card-payment-detail", "patient-package-detail",
         "charges-to-review")
       + W("billing:card_payment", "billing:packages", "patient-card-payment-list",
           "patient-card-payment-check", "patient-card-payment-refund", "patient-package-list",
           "patient-package-release", "billing:charge_review_waive", "charge-review-waive"),
       note="completed infusions are charged (or use a prepaid infusion) by themselves"),
    _a("Print a superbill of an infusion or a course (CPT from the charted times, J3490 with "
       "NDC and mg, ICD-10 chosen from the patient's)", DESK,
       R("billing:superbill", "billing:course_superbill")),
    _a("Give a superbill or an estimate as a PDF: download to print, email it attached, or "
       "a patient link (date of birth first); each issue is logged", DESK,
       R("patient-superbill-detail", "patient-superbill-pdf")
       + W("billing:superbill_send", "billing:course_superbill_send", "billing:estimate_send",
           "patient-superbill-list")),
    _a("Close a site's day: the ledger's cash, check, card and HSA/FSA totals against the "
       "counts, a reason for each difference; the day then takes no payment or refund", DESK,
       R("billing:closes", "daily-close-detail", "daily-close-expected")
       + W("billing:close_day", "daily-close-list"),
       note="the database refuses a payment or refund on a closed day"),
    _a("Reopen a closed day, with the reason (the close stays as history)", ADMIN,
       W("billing:close_reopen", "daily-close-reopen")),
    _a("Publish a site's new prices (from today or later; old prices stay on what was sold)",
       ADMIN, W("billing:prices", "price-list-list"),
       note="the front desk reads them"),
    _a("Billing details of a site (practice name, NPI, TIN, NDC) and clinicians' NPIs", ADMIN,
       admin=[("billing.sitebilling", "add"), ("billing.cliniciannpi", "add")]),
    _a("Give or revoke a patient's calendar link", DESK,
       W("scheduling:feed_create", "scheduling:feed_revoke", "patient-calendar-feed-list",
         "patient-calendar-feed-revoke")),
    _a("Reminders: delivery dashboard, retry, unconfirmed visits", DESK,
       R("reminders:dashboard", "reminders:follow_up") + W("reminders:retry")),
    _a("Calculate a dose (saves nothing)", CLINICAL_READERS, W("dose-calculation-list")),
    _a("Order a dose, cancel an order", CLINICAL,
       W("infusions:order_create", "infusions:order_cancel", "dose-order-list",
         "dose-order-cancel")),
    _a("See dose orders and the dose panel", CLINICAL_READERS,
       R("infusions:dose_panel", "dose-order-list")),
    _a("Sign a dose order", PHYSICIAN, W("infusions:order_sign", "dose-order-sign"),
       shared={"infusions:order_sign", "dose-order-sign"},
       note="a nurse may activate a standing order where the protocol allows one"),
    _a("Override a soft dose limit (with a reason)", PHYSICIAN, W("dose-order-override")),
    _a("Independent double-check of a dose", NURSE,
       W("infusions:check_create", "dose-check-list")),
    _a("Draw, give and waste the drug; witness a waste", CLINICAL,
       W("infusions:drug_draw", "infusions:drug_account", "drug-log-entry-account")),
    _a("View the controlled-substance log; CSV export", CLINICAL_READERS,
       R("infusions:lots", "infusions:lot_detail", "infusions:drug_log_csv", "lot-list",
         "drug-log-entry-list", "drug-log-report-list")),
    _a("Receive a lot of the drug", EDITORS, W("lot-list"), admin=[("infusions.lot", "add")]),
    _a("Adjust the drug log", EDITORS, W("drug-log-entry-list"),
       shared={"drug-log-entry-list"}),
    _a("Reconcile the day", CLINICAL_READERS,
       W("infusions:reconcile", "drug-reconciliation-list")),
    _a("Take an inventory (opening, biennial)", EDITORS, W("drug-inventory-list")),
    _a("Resolve a drug-log discrepancy", ADMIN, W("drug-discrepancy-resolve")),
    _a("See the chair screen and the printable infusion record", CLINICAL_READERS,
       R("infusions:chair", "infusions:chair_alerts", "infusions:record_print",
         "infusion-record-list", "infusion-vitals-list")),
    _a("Chart: check in at the chair, vitals, start, pause, side effects, corrections, not "
       "given today", CLINICAL,
       W("infusions:chair_check_in", "infusions:chair_vitals", "infusions:chair_start",
         "infusions:chair_pause", "infusions:chair_side_effect", "infusions:chair_correct",
         "infusions:chair_acknowledge", "infusions:chair_undo_check_in",
         "infusions:chair_not_given", "infusion-record-not-given", "infusion-record-list",
         "infusion-vitals-list",
         "infusion-event-list", "infusion-correction-list",
         "infusion-alert-acknowledgement-list")),
    _a("Discharge a patient", CLINICAL,
       W("infusions:chair_discharge", "infusion-discharge-list")),
    _a("Allow discharge before the minimum recovery time (named override)", PHYSICIAN,
       W("infusions:chair_discharge_override", "infusion-record-discharge-override")),
    _a("Mark an early-stopped infusion reviewed", PHYSICIAN,
       W("infusions:early_stop_reviewed", "infusion-record-early-stop-review")),
    _a("Nurse's home (my chairs today)", NURSE, R("infusions:nurse_home")),
    _a("Open alerts at my sites (polled by the homes)", CLINICAL_READERS,
       R("infusions:open_alerts")),
    _a("Physician's home and signing queue", PHYSICIAN,
       R("infusions:physician_home", "infusions:signing_queue")),
    _a("Edit protocols (a revision is a new version)", EDITORS,
       W("protocol-version-list"),
       admin=[("protocols.protocol", "add"), ("protocols.protocolversion", "add")]),
    _a("Read protocols", ALL, R("protocol-list", "protocol-version-list")),
    _a("Revise a protocol's outcome-measure schedule (a revision is a new version)", ADMIN,
       R("outcomes:schedules") + W("outcomes:schedule", "measure-schedule-list")),
    _a("Read outcome-measure schedules; see which measures a course asks for and which are "
       "answered", ALL,
       R("measure-schedule-list", "protocol-measure-schedule", "course-due-measures",
         "outcomes:patient_due_measures")),
    _a("Send, resend or revoke a patient's link to answer due measures from home", ALL,
       R("patient-link-list", "patient-link-detail")
       + W("outcomes:link_send", "outcomes:link_resend", "outcomes:link_revoke",
           "patient-link-list", "patient-link-resend", "patient-link-revoke")),
    _a("See a course's outcome (patient page tab, printable page, summary letters as PDF)",
       CLINICAL_READERS,
       R("outcomes:patient_outcome", "outcomes:course_outcome", "outcomes:course_letter",
         "course-outcome", "course-review-list")),
    _a("Review a course after its review point (continue, stop, change protocol)", PHYSICIAN,
       R("outcomes:reviews_due") + W("outcomes:course_review", "course-review-list")),
    _a("Booster candidates: book a single booster; cancel the rest of a stopped course", DESK,
       R("outcomes:boosters", "outcomes:booster_options", "booster-candidate-list",
         "booster-candidate-options")
       + W("outcomes:booster_book", "outcomes:stopped_course_cancel",
           "booster-candidate-book")),
    _a("Weekly nurse rota: set or clear a shift, copy last week, repeat a week", ADMIN,
       R("scheduling:rota") + W("scheduling:rota_change")),
    _a("A site's opening hours, closures and federal holidays", ADMIN,
       R("scheduling:site_setup") + W("scheduling:site_change", "closed-day-list",
                                       "closed-day-detail")),
    _a("Staff page: a colleague's roles, sites and active flag", ADMIN,
       R("staff_list") + W("staff_edit")),
    _a("Nurse shifts", ADMIN, W("nurse-shift-list", "nurse-shift-detail"),
       admin=[("scheduling.nurseshift", "add")]),
    _a("Sites, chairs, opening hours, closed days, visit template", ADMIN,
       admin=[("clinic.location", "add"), ("scheduling.chair", "add"),
              ("scheduling.openinghours", "add"), ("scheduling.closedday", "add"),
              ("scheduling.visittemplate", "change")]),
    _a("Consent documents, reminder rules and message wording", ADMIN,
       admin=[("patients.consentdocument", "add"), ("scheduling.reminderrule", "add"),
              ("scheduling.messagetemplate", "add")]),
    _a("See who looked at a patient's record; export the full record (right of access)",
       ADMIN,
       R("audit:patient_access", "audit:patient_access_csv", "audit:patient_export",
         "audit:patient_export_json", "audit-patient-access"),
       admin=[("audit.accesslog", "view"), ("auditlog.logentry", "view")]),
    _a("Read the reports and the director's dashboard (aggregates of their own sites)",
       MANAGERS,
       R("reports:dashboard", "report-dashboard",
         *[f"reports:{name}" for name in REPORT_NAMES],
         *[f"reports:{name}_csv" for name in REPORT_NAMES],
         *[f"report-{name}" for name in REPORT_NAMES])),
    _a("Read the record as FHIR R4 (patients, vitals, measures, doses, visits; $everything)",
       CLINICAL_READERS,
       R("fhir-patient-search", "fhir-patient-read", "fhir-patient-everything",
         "fhir-observation-search", "fhir-observation-weight", "fhir-observation-vitals",
         "fhir-observation-measure", "fhir-observation-phq9-panel",
         "fhir-questionnaire-response-search", "fhir-questionnaire-response-read",
         "fhir-encounter-search", "fhir-encounter-read",
         "fhir-medication-administration-search", "fhir-medication-administration-read",
         "fhir-appointment-search", "fhir-appointment-read")),
    _a("Set up two-factor, new backup codes", ALL,
       R("two_factor:enrol", "two_factor:security") + W("two_factor:backup_codes")),
    _a("Reset a colleague's two-factor (lost phone)", ADMIN,
       admin=[("otp_totp.totpdevice", "delete")]),
    _a("Manage staff accounts and their sites and roles", ADMIN,
       admin=[("clinic.user", "add"), ("clinic.user", "change")]),
    _a("Read clinical and scheduling records in the admin", ADMIN,
       admin=[("patients.screening", "view"), ("scheduling.appointment", "view")]),
    _a("Issue, change and revoke integrations' API keys; see their calls", ADMIN,
       admin=[("integrations.apikey", "add"), ("integrations.apikey", "change"),
              ("integrations.keycall", "view")]),
    _a("Subscribe an integration to events (webhooks); see deliveries, send a test event",
       ADMIN, admin=[("integrations.webhooksubscription", "add"),
                     ("integrations.webhookdelivery", "view")]),
]  # fmt: skip


def url_roles(name: str, kind: str) -> frozenset:
    access = URLS[name]
    return access.read if kind == "read" else access.write


def admin_roles(model: str, kind: str) -> frozenset:
    return getattr(ADMIN_MODELS[model], kind)


# --- The README table -------------------------------------------------------------------------

README_START = "<!-- role-matrix: generated by `python -m clinic.role_matrix`; do not edit -->"
README_END = "<!-- role-matrix: end -->"


def markdown_table() -> str:
    header = "| action | " + " | ".join(role.label for role in ROLES) + " |"
    lines = [header, "|---|" + ":-:|" * len(ROLES)]
    for row in ACTIONS:
        marks = " | ".join("yes" if role in row.roles else "" for role in ROLES)
        label = f"{row.label} ({row.note})" if row.note else row.label
        lines.append(f"| {label} | {marks} |")
    return "\n".join(lines)


def readme_block() -> str:
    return f"{README_START}\n{markdown_table()}\n{README_END}"


def rewrite_readme(text: str) -> str:
    start, end = text.index(README_START), text.index(README_END) + len(README_END)
    return text[:start] + readme_block() + text[end:]


if __name__ == "__main__":
    from pathlib import Path

    readme = Path(__file__).resolve().parent.parent / "README.md"
    readme.write_text(rewrite_readme(readme.read_text()))
    print(f"{readme}: role matrix rewritten ({len(ACTIONS)} actions)")
