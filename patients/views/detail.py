"""The patient page: summary and flags, then one tab at a time."""

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.db.models.functions import Coalesce
from django.shortcuts import render

from clinic.access import role_required
from clinic.roles import ALL_STAFF, CLINICAL_READERS, DESK, Role

from .. import selectors
from ..forms.clinical import ClearanceForm
from ..forms.measures import CONTEXT_CHOICES, MEASURE_SLUGS
from ..models import Answer, Comorbidity, ConsentDocument
from ..recent import remember_viewed
from .common import patient_for

TABS = (
    ("overview", "Overview", ALL_STAFF),
    ("courses", "Courses", ALL_STAFF),
    ("intake", "Intake", CLINICAL_READERS),
    ("screening", "Screening", CLINICAL_READERS),
    ("consent", "Consent", ALL_STAFF),
    ("measures", "Measures", CLINICAL_READERS),
    ("outcome", "Outcome", CLINICAL_READERS),
    ("weights", "Weights", CLINICAL_READERS),
    ("history", "History", ALL_STAFF),
    ("billing", "Coverage & billing", DESK),
)
URGENT_FLAGS = {"PHQ-9 item 9: same-day follow-up", "Needs physician clearance", "Not cleared"}
CONTEXT_LABELS = dict(CONTEXT_CHOICES)
MEASURE_LINKS = (
    ("pain", "Pain score"),
    ("fiqr", "FIQR"),
    ("acr", "ACR 2016"),
    ("phq9", "PHQ-9"),
)


def _overview(patient, user) -> dict:
    escorts = list(patient.escorts.filter(is_active=True))
    return {
        "escorts": escorts,
        "primary_escort": next((e for e in escorts if e.is_primary), None),
        "latest_consent": selectors.latest_consent(patient),
    }


def _intake(patient, user) -> dict:
    intake = patient.intakes.select_related("recorded_by").prefetch_related("treatments").first()
    return {
        "intake": intake,
        "comorbidities": [Comorbidity(c).label for c in intake.comorbidities] if intake else [],
        "earlier_intakes": patient.intakes.count() - 1 if intake else 0,
    }


def _screening(patient, user) -> dict:
    screening = selectors.latest_screening(patient)
    state = selectors.clearance_state(patient)
    context = {
        "screening": screening,
        "clearance_state": state,
        "answers": [
            (label, getattr(screening, field), Answer(getattr(screening, field)).label)
            for field, label in screening.QUESTIONS.items()
        ]
        if screening
        else [],
        "earlier_screenings": list(
            patient.screenings.select_related("recorded_by", "clearance__physician")[1:20]
        ),
    }
    if state == selectors.ClearanceState.AWAITING and user.may(Role.PHYSICIAN):
        context["clearance_form"] = ClearanceForm()
    return context


def _consent(patient, user) -> dict:
    return {
        # The current versions not signed yet: one signature per version.
        "documents": ConsentDocument.objects.filter(is_current=True).exclude(
            signatures__patient=patient
        ),
        "signatures": patient.consents.select_related("document", "witness"),
        "communication": patient.communication_consents.select_related("recorded_by")[:20],
    }


def _measures(patient, user) -> dict:
    # Newest first by when the answers were given, so a correction sits right above the
    # entry it corrects (struck through, with the reason, who and when).
    measures = list(
        patient.measures.select_related(
            "recorded_by", "follow_up__physician", "corrected_by__recorded_by"
        )
        .annotate(given=Coalesce(F("taken_at"), F("recorded_at")))
        .order_by("-given", "-pk")[:50]
    )
    for measure in measures:
        measure.context_label = CONTEXT_LABELS.get(measure.context, measure.context)
        measure.correction = getattr(measure, "corrected_by", None)
        measure.slug = MEASURE_SLUGS.get(measure.kind)
    return {
        "measures": measures,
        "measure_links": MEASURE_LINKS,
        "trends": selectors.measure_trends(patient),
    }


def _weights(patient, user) -> dict:
    weights = selectors.weights_with_corrections(patient)
    for weight in weights:
        weight.correction = getattr(weight, "corrected_by", None)
    return {"weights": weights, "current_weight": selectors.current_weight(patient)}


def _history(patient, user) -> dict:
    """Every entry on file, newest first; the front desk sees the non-clinical ones only."""
    events = [(patient.created_at, "Registered", patient.created_by)]
    if patient.deactivated_at:
        events.append((patient.deactivated_at, "Deactivated: " + patient.deactivation_reason,
                       patient.deactivated_by))  # fmt: skip
    for signature in patient.consents.select_related("document", "witness"):
        events.append((signature.signed_at, f"Signed {signature.document}", signature.witness))
    for consent in patient.communication_consents.select_related("recorded_by"):
        events.append((consent.recorded_at, f"{consent} ({consent.get_method_display()})",
                       consent.recorded_by))  # fmt: skip
    if user.may(*CLINICAL_READERS):
        for intake in patient.intakes.select_related("recorded_by"):
            events.append((intake.recorded_at, "Clinical intake recorded", intake.recorded_by))
        for screening in patient.screenings.select_related("recorded_by", "clearance__physician"):
            flagged = "flag raised" if screening.needs_clearance else "no flag"
            events.append((screening.recorded_at, f"Screening ({flagged})", screening.recorded_by))
            if clearance := getattr(screening, "clearance", None):
                events.append((clearance.decided_at, clearance.get_decision_display(),
                               clearance.physician))  # fmt: skip
        for weight in patient.weights.select_related("measured_by"):
            text = f"Weight {weight.weight_kg} kg ({weight.weight_lb} lb)"
            if weight.corrects_id:
                text = f"Weight corrected to {weight.weight_kg} kg: {weight.correction_reason}"
            events.append((weight.recorded_at or weight.measured_at, text, weight.measured_by))
        for measure in patient.measures.select_related("recorded_by"):
            text = f"{measure.get_kind_display()}: {measure.score} {measure.interpretation}"
            if measure.corrects_id:
                text = f"{measure.get_kind_display()} corrected: {measure.score} "
                text += f"({measure.correction_reason})"
            who = measure.recorded_by or "the patient, from home"
            events.append((measure.recorded_at, text, who))
    events.sort(key=lambda event: event[0], reverse=True)
    return {"events": events}


TAB_CONTEXT = {
    "overview": _overview,
    # Its content is a scheduling page loaded by htmx: patients does not import scheduling.
    "courses": lambda patient, user: {},
    "intake": _intake,
    "screening": _screening,
    "consent": _consent,
    "measures": _measures,
    # A course's outcome, loaded by htmx from outcomes (patients does not import it).
    "outcome": lambda patient, user: {},
    "weights": _weights,
    "history": _history,
    # Its content is billing's page loaded by htmx: patients does not import billing.
    "billing": lambda patient, user: {},
}


@role_required(*ALL_STAFF)
def patient_detail(request, pk):
    patient = patient_for(request.user, pk)
    tabs = [(name, label) for name, label, roles in TABS if request.user.may(*roles)]
    tab = request.GET.get("tab", "overview")
    if tab not in TAB_CONTEXT:
        tab = "overview"
    if tab not in dict(tabs):
        raise PermissionDenied("Your role does not see this part of the record.")
    remember_viewed(request, patient.pk)
    flags = selectors.patient_flags(patient)
    context = {
        "patient": patient,
        "flags": [(label, label in URGENT_FLAGS) for label in flags.labels],
        "tabs": tabs,
        "tab": tab,
        "clinical": request.user.may(*CLINICAL_READERS),
        "writes_clinical": request.user.may(Role.NURSE, Role.PHYSICIAN),
        "registrar": request.user.may(Role.FRONT_DESK, Role.CLINIC_ADMIN),
        "physician": request.user.may(Role.PHYSICIAN),
        **TAB_CONTEXT[tab](patient, request.user),
    }
    return render(request, "patients/detail.html", context)
