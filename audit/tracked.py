"""Which models django-auditlog watches: every model holding personal or clinical data.

Each create, change and delete of these rows, from a page, the API, the admin, a task or a
shell, becomes a ``auditlog.LogEntry`` with the actor (``audit.middleware``), the time and
the changed fields. Append-only clinical entries never change, so for them the entry is the
creation. Not tracked, on purpose: site set-up (chairs, hours, shifts), reminder rules and
templates, and ``OutboundMessage``, the reminder queue: its rows are copies made at booking
and its status churn is the worker's, recorded on the row itself (attempts, sent_at, reason).
"""

from auditlog.registry import auditlog
from django.apps import apps

TRACKED = {
    "clinic.User": {
        "exclude_fields": ["password", "last_login"],
        "m2m_fields": {"groups", "locations"},
    },
    "patients.Patient": {},
    "patients.EscortContact": {},
    "patients.ClinicalIntake": {},
    "patients.PriorTreatment": {},
    "patients.Screening": {},
    "patients.Clearance": {},
    "patients.WeightMeasurement": {},
    "patients.ConsentDocument": {},
    "patients.ConsentSignature": {},
    "patients.CommunicationConsent": {},
    "patients.OutcomeMeasure": {},
    "patients.Phq9FollowUp": {},
    "patients.ConsultationRequest": {},
    "patients.ConsultationStageChange": {},
    "patients.ContactAttempt": {},
    "scheduling.Course": {},
    "scheduling.CourseProtocolChange": {},
    "scheduling.Appointment": {},
    "scheduling.AppointmentStatusChange": {},
    "scheduling.Consultation": {},
    "scheduling.ConsultationStatusChange": {},
    "scheduling.AppointmentConfirmation": {},
    "scheduling.CalendarFeed": {"mask_fields": ["token"]},
    "scheduling.SmsOptOut": {},
    "protocols.Protocol": {},
    "protocols.ProtocolVersion": {},
    # Not personal, but clinical set-up kept like a protocol's versions: who made which.
    "outcomes.MeasureSchedule": {},
    "outcomes.ScheduledMeasure": {},
    # The answers in progress (draft) stay out of the change log: each save would copy
    # them; the submitted answers are OutcomeMeasure rows, tracked above.
    "outcomes.PatientLink": {"exclude_fields": ["draft"]},
    "outcomes.LinkAnswer": {},
    # A physician's decision on a patient's course, with the outcome it was made on.
    "outcomes.CourseReview": {},
    "infusions.DoseOrder": {},
    "infusions.DoseOrderEvent": {},
    "infusions.DoseOrderOverride": {},
    "infusions.DoseCheck": {},
    "infusions.Lot": {},
    "infusions.DrugLogEntry": {},
    "infusions.DailyReconciliation": {},
    "infusions.ReconciliationCount": {},
    "infusions.DiscrepancyResolution": {},
    "infusions.Inventory": {},
    "infusions.InventoryCount": {},
    "infusions.InfusionRecord": {},
    "infusions.InfusionStatusEvent": {},
    "infusions.VitalsReading": {},
    "infusions.Alert": {},
    "infusions.AlertAcknowledgement": {},
    "infusions.InfusionEvent": {},
    "infusions.Discharge": {},
    "infusions.Correction": {},
    "infusions.EscortEntry": {},
    "infusions.ComfortApplied": {},
    "infusions.EarlyStopReview": {},
    "infusions.DischargeOverride": {},
    "waitlist.WaitlistEntry": {},
    "waitlist.WaitlistStatusChange": {},
    "waitlist.WaitlistOffer": {},
    "waitlist.OfferRecipient": {},
    "waitlist.OfferStatusChange": {},
    "waitlist.OfferMessage": {},
    # Who issued, changed or revoked an integration's key (never its hash; its counters
    # change on every call, through update(), which the change log does not see).
    "integrations.ApiKey": {
        "exclude_fields": ["hashed_key", "last_used_at", "use_count"],
        "m2m_fields": {"sites"},
    },
    "billing.Coverage": {},
    "billing.PaymentChoice": {},
    "billing.BenefitsCheck": {},
    "billing.SiteBilling": {},
    "billing.ClinicianNpi": {},
    "billing.PriceList": {},
    "billing.PriceItem": {},
    "billing.GoodFaithEstimate": {},
    "billing.EstimateLine": {},
    "billing.EstimateDelivery": {},
    "billing.LedgerEntry": {},
    "billing.CardIntent": {},
    "billing.CardEvent": {},
    "billing.CardSettlement": {},
    "billing.PackagePurchase": {},
    "billing.PackageUse": {},
    "billing.PackageRelease": {},
    "billing.ChargeReview": {},
    "billing.ChargeReviewWaiver": {},
    "billing.DailyClose": {},
    "billing.DailyCloseReopen": {},
    "billing.DocumentIssue": {},
    "billing.DocumentLink": {},
    "integrations.WebhookSubscription": {"exclude_fields": ["secret", "consecutive_failures"]},
}


# Models that lead to a patient but are not tracked, with the reason (tests/audit checks
# that every such model is in one of the two lists).
UNTRACKED = {
    "scheduling.OutboundMessage": "the reminder queue: copies made at booking; the worker's "
    "status changes are recorded on the row (attempts, sent_at, reason)",
    "infusions.AlertBreach": "written once with its alert, in the same transaction; "
    "append-only (database triggers refuse UPDATE and DELETE)",
    "infusions.AlertEscalation": "the alert escalation queue: rows made by the sweep; the "
    "worker's status changes are recorded on the row (attempts, sent_at, last_error)",
    "infusions.OrderAwaitingSignature": "the signing queue: derived from the orders and "
    "their events (tracked above) by database triggers; a row is deleted when its order is "
    "signed or cancelled",
}


def register_models() -> None:
    for label, options in TRACKED.items():
        model = apps.get_model(label)
        if not auditlog.contains(model):
            auditlog.register(model, **options)
