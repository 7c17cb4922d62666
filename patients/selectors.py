"""Reads that span patient models. Callers never add their own joins."""

import datetime
import re
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import (
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Window,
)
from django.db.models.functions import Coalesce, Lead, Lower, Now, Reverse
from django.http import Http404
from django.utils import timezone

from clinic.access import locations_for, site_ids_for
from clinic.models import User

from .models import (
    BEFORE_REGISTRATION,
    Clearance,
    CommunicationConsent,
    ConsentSignature,
    ConsultationRequest,
    ConsultationStageChange,
    EscortContact,
    MeasureKind,
    OutcomeMeasure,
    Patient,
    PatientQuerySet,
    Screening,
    WeightMeasurement,
)
from .models.clinical import raised_a_flag

# A visit at a site opens the patient's record to that site's staff unless it was cancelled
# (a no-show was still booked there; past visits stay readable for their record).
NOT_A_VISIT = "cancelled"


def booked_at(locations, patient: str) -> QuerySet:
    """Visits booked at one of these sites (any date, not cancelled) for the outer query's
    patient (``patient``: the path to its id there): for ``Exists``, one probe of the
    appointments' (patient, site) index per outer row.

    As ``pk__in`` (the ids of every booked patient) Postgres could not hash the network's
    700,000 visits in ``work_mem`` and compared each patient with each of them: the patient
    list's count ran for minutes on the full-size scale data.

    Scheduling sits above patients, so its model is looked up by name, not imported.
    """
    appointment = apps.get_model("scheduling", "Appointment")
    return appointment.objects.filter(patient=OuterRef(patient), location__in=locations).exclude(
        status=NOT_A_VISIT
    )


def patients_for(user: User) -> PatientQuerySet:
    """Patients whose home site the user works at, or who are booked at one of their sites."""
    return Patient.objects.filter(seen_by(user, patient="")).select_related("home_location")


def seen_by(user: User, patient: str = "patient") -> Q:
    """The rule of which patients a user may see, as a test of each row's patient
    (``patient``: the path to it; "" when the rows are patients): home site one of the
    user's, or a visit booked at one. For the lists of work waiting, a few rows each: the
    booked visit is looked up per row (by patient), where ``patient__in=patients_for(user)``
    plans over every visit the sites ever booked."""
    locations = site_ids_for(user)
    home = f"{patient}__home_location__in" if patient else "home_location__in"
    return Q(**{home: locations}) | Exists(booked_at(locations, patient or "pk"))


ANOTHER_SITE = (
    "This patient's record is kept at another site and the patient has no visit booked at "
    "yours. A clinic admin can give you access (by assigning you to that site), or the front "
    "desk can book the visit at your site."
)


def patient_for(user: User, pk) -> Patient:
    """The patient the user may see; 403 saying why for another site's patient, else 404."""
    patient = patients_for(user).filter(pk=pk).first()
    if patient is not None:
        return patient
    if Patient.objects.filter(pk=pk).exists():
        raise PermissionDenied(ANOTHER_SITE)
    raise Http404("No patient with this number.")


def likely_duplicates(*, legal_first_name, legal_last_name, date_of_birth, phone) -> list:
    same_person = Q(
        legal_first_name__iexact=legal_first_name.strip(),
        legal_last_name__iexact=legal_last_name.strip(),
        date_of_birth=date_of_birth,
    )
    if phone:
        same_person |= Q(phone=phone)
    return list(Patient.objects.filter(same_person).order_by("mrn")[:5])


MRN_PATTERN = re.compile(r"^kc\d+$", re.IGNORECASE)
DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d", "%m-%d-%Y")


def _as_date(text: str) -> datetime.date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def patient_search(user: User, query: str, limit: int = 25) -> list[Patient]:
    """Search by MRN, date of birth, phone or name; each name word matches a name's start."""
    query = query.strip()
    if not query:
        return []
    patients = patients_for(user)
    digits = re.sub(r"\D", "", query)
    if MRN_PATTERN.match(query):
        patients = patients.filter(mrn__istartswith=query)
    elif (day := _as_date(query)) is not None:
        patients = patients.filter(date_of_birth=day)
    elif len(digits) >= 7 and len(digits) >= len(query.replace(" ", "")) - 4:
        # As a prefix of the reversed number, so the index on it is used (a LIKE '%digits'
        # read every patient of the network: 64 ms at 100,000).
        last = digits[-10:]
        patients = patients.alias(phone_reversed=Reverse("phone"))
        patients = patients.filter(phone_reversed__startswith=last[::-1])
    else:
        for word in query.split()[:3]:
            patients = patients.filter(
                Q(legal_last_name__istartswith=word)
                | Q(legal_first_name__istartswith=word)
                | Q(preferred_name__istartswith=word)
            )
    # Sorted by the names regardless of case, which no index gives: Postgres then finds the
    # matches by the prefix indexes and sorts them. In the (last, first) index's order it
    # walked the names from "A" until 25 matched: 87,000 rows for "Tor" (88 ms, full size).
    order = (Lower("legal_last_name"), Lower("legal_first_name"), "pk")
    return list(patients.order_by(*order)[:limit])


# --- Clearance and booking ----------------------------------------------------------------


class ClearanceState:
    NOT_SCREENED = "not_screened"
    SCREEN_NEGATIVE = "screen_negative"
    AWAITING = "awaiting_clearance"
    CLEARED = "cleared"
    CLEARED_WITH_CONDITIONS = "cleared_with_conditions"
    NOT_CLEARED = "not_cleared"


def latest_screening(patient: Patient) -> Screening | None:
    return (
        patient.screenings.select_related("clearance", "clearance__physician")
        .order_by("-recorded_at", "-pk")
        .first()
    )


def clearance_state(patient: Patient) -> str:
    screening = latest_screening(patient)
    if screening is None:
        return ClearanceState.NOT_SCREENED
    if not screening.needs_clearance:
        return ClearanceState.SCREEN_NEGATIVE
    clearance = getattr(screening, "clearance", None)
    if clearance is None:
        return ClearanceState.AWAITING
    return clearance.decision


def booking_blockers(patient: Patient) -> list[str]:
    """Why a course cannot be booked for this patient now; empty when it can.

    Scheduling calls this before booking, so the rules live with the records they read.
    """
    reasons = []
    if not patient.is_active:
        reasons.append("The patient's record is deactivated.")
    state = clearance_state(patient)
    if state == ClearanceState.NOT_SCREENED:
        reasons.append("Contraindication screening has not been completed.")
    elif state == ClearanceState.AWAITING:
        reasons.append("The screening raised a flag: a physician must clear the patient first.")
    elif state == ClearanceState.NOT_CLEARED:
        reasons.append("A physician has not cleared the patient for ketamine infusions.")
    if not patient.escorts.filter(is_active=True).exists():
        reasons.append("No escort contact: the patient must be collected by a responsible adult.")
    return reasons


def treatment_blockers(patient: Patient) -> list[str]:
    """Why no infusion may start for this patient yet; empty when it may. Booking can go
    ahead without these (a course is often booked at the first call), but the drug does not
    run before the allergies are on record and the treatment consent is signed. Two queries.
    """
    reasons = []
    if not patient.intakes.exists():
        reasons.append(
            "Allergies are not on record: complete the clinical intake (list the allergies, "
            "or mark no known drug allergies) before the first infusion."
        )
    if not patient.consents.exists():
        reasons.append(
            "No signed treatment consent: the patient signs it, witnessed, before the first "
            "infusion."
        )
    return reasons


# --- Flags on the patient page ---------------------------------------------------------------


@dataclass
class PatientFlags:
    needs_clearance: bool = False
    not_cleared: bool = False
    not_screened: bool = False
    phq9_item9_open: bool = False
    no_escort: bool = False
    no_consent: bool = False
    weight_out_of_date: bool = False
    labels: list[str] = field(default_factory=list)


# --- Weights and measures: corrected rows never count ------------------------------------


def standing_weights(patient: Patient) -> QuerySet[WeightMeasurement]:
    """The patient's weights that stand: a corrected weight is replaced by its correction."""
    return patient.weights.filter(corrected_by__isnull=True)


def current_weight(patient: Patient) -> WeightMeasurement | None:
    """The latest standing weight (a correction counts at the time the weight was taken)."""
    return standing_weights(patient).order_by("-measured_at", "-pk").first()


def weights_with_corrections(patient: Patient, limit: int = 50) -> list[WeightMeasurement]:
    """Every weight for the weights tab, newest first, each with ``corrected_by`` loaded
    (struck through on screen with the correction's reason, who and when)."""
    return list(
        patient.weights.select_related("measured_by", "corrected_by__measured_by").order_by(
            "-measured_at", "-pk"
        )[:limit]
    )


def standing_measures(patient: Patient, kind: str | None = None) -> QuerySet[OutcomeMeasure]:
    """The patient's measures that stand (corrected ones left out), each annotated with
    ``given`` (when the answers were given: a correction takes the original's time)."""
    measures = patient.measures.filter(corrected_by__isnull=True).annotate(
        given=Coalesce(F("taken_at"), F("recorded_at"))
    )
    return measures.filter(kind=kind) if kind else measures


def measure_standing(measure: OutcomeMeasure) -> OutcomeMeasure:
    """The entry that stands for ``measure``: itself, or the end of its chain of corrections."""
    while (following := OutcomeMeasure.objects.filter(corrects=measure).first()) is not None:
        measure = following
    return measure


def measure_series(patient: Patient, kind: str, context: str | None = None) -> list:
    """One measure's scores over time, oldest first, as (when given, score, measure): the
    series for a chart or a trend. Corrections replace what they correct."""
    measures = standing_measures(patient, kind)
    if context:
        measures = measures.filter(context=context)
    return [(m.given, m.score, m) for m in measures.order_by("given", "pk")]


@dataclass
class MeasureTrend:
    kind: str
    label: str
    baseline: OutcomeMeasure | None
    latest: OutcomeMeasure | None
    count: int

    @property
    def change(self):
        if self.baseline is None or self.latest is None or self.baseline.pk == self.latest.pk:
            return None
        if self.baseline.score is None or self.latest.score is None:
            return None
        return self.latest.score - self.baseline.score


def measure_trends(patient: Patient) -> list[MeasureTrend]:
    """Baseline (the first standing entry) against the latest, per kind of measure, from
    standing entries only: one query."""
    by_kind: dict[str, list] = {}
    for measure in standing_measures(patient).order_by("given", "pk"):
        by_kind.setdefault(measure.kind, []).append(measure)
    return [
        MeasureTrend(kind, label, series[0], series[-1], len(series))
        for kind, label in MeasureKind.choices
        if (series := by_kind.get(kind))
    ]


def weight_is_current(weight: WeightMeasurement | None) -> bool:
    if weight is None:
        return False
    max_age = datetime.timedelta(days=settings.WEIGHT_CURRENT_DAYS)
    return timezone.now() - weight.measured_at <= max_age


def patient_flags(patient: Patient) -> PatientFlags:
    state = clearance_state(patient)
    flags = PatientFlags(
        needs_clearance=state == ClearanceState.AWAITING,
        not_cleared=state == ClearanceState.NOT_CLEARED,
        not_screened=state == ClearanceState.NOT_SCREENED,
        phq9_item9_open=open_phq9_follow_ups().filter(patient=patient).exists(),
        no_escort=not patient.escorts.filter(is_active=True).exists(),
        no_consent=not patient.consents.exists(),
        weight_out_of_date=not weight_is_current(current_weight(patient)),
    )
    labels = [
        (flags.phq9_item9_open, "PHQ-9 item 9: same-day follow-up"),
        (flags.needs_clearance, "Needs physician clearance"),
        (flags.not_cleared, "Not cleared"),
        (flags.not_screened, "Not screened"),
        (flags.no_escort, "No escort"),
        (flags.no_consent, "No consent"),
        (flags.weight_out_of_date, "Weight out of date"),
    ]
    flags.labels = [label for on, label in labels if on]
    return flags


def awaiting_clearance_for(user: User) -> QuerySet[Screening]:
    """Latest screenings that raised a flag and have no physician decision yet, of the
    user's active patients (``seen_by``: each such screening's patient tested)."""
    newer = Screening.objects.filter(patient=OuterRef("patient")).filter(
        Q(recorded_at__gt=OuterRef("recorded_at"))
        | Q(recorded_at=OuterRef("recorded_at"), pk__gt=OuterRef("pk"))
    )
    decided = Clearance.objects.filter(screening=OuterRef("pk"))
    return (
        Screening.objects.filter(raised_a_flag(), patient__is_active=True)
        .filter(~Exists(newer), ~Exists(decided))
        .filter(seen_by(user))
        .select_related("patient", "recorded_by")
        .order_by("recorded_at")
    )


def open_phq9_follow_ups() -> QuerySet[OutcomeMeasure]:
    """PHQ-9s with item 9 raised and no physician follow-up: a corrected PHQ-9 no longer
    counts (its correction does), nor does a correction whose original was followed up."""
    return OutcomeMeasure.objects.filter(
        kind=MeasureKind.PHQ9,
        needs_same_day_follow_up=True,
        follow_up__isnull=True,
        corrected_by__isnull=True,
    ).filter(Q(corrects__isnull=True) | Q(corrects__follow_up__isnull=True))


def open_phq9_follow_ups_for(user: User) -> QuerySet[OutcomeMeasure]:
    return (
        open_phq9_follow_ups()
        .filter(seen_by(user))
        .select_related("patient", "recorded_by")
        .order_by("recorded_at")
    )


def communication_consent(patient: Patient, channel: str) -> CommunicationConsent | None:
    """The consent in force for a channel: the latest one recorded."""
    return patient.communication_consents.filter(channel=channel).first()


def communication_in_force(patient: Patient) -> dict[str, CommunicationConsent]:
    """Each channel's consent in force (the latest recorded), by channel; a channel never
    recorded is absent. One query."""
    in_force: dict[str, CommunicationConsent] = {}
    for consent in patient.communication_consents.select_related("recorded_by").order_by(
        "-recorded_at", "-pk"
    ):
        in_force.setdefault(consent.channel, consent)
    return in_force


def primary_escort(patient: Patient) -> EscortContact | None:
    return patient.escorts.filter(is_active=True, is_primary=True).first()


def latest_consent(patient: Patient) -> ConsentSignature | None:
    return patient.consents.select_related("document", "witness").first()


def consultation_requests_for(user: User) -> QuerySet[ConsultationRequest]:
    """Website "contact us" requests whose preferred site is one of the user's."""
    return ConsultationRequest.objects.filter(
        preferred_location__in=locations_for(user)
    ).select_related("preferred_location", "handled_by")


def open_consultation_requests_for(user: User) -> QuerySet[ConsultationRequest]:
    """The requests still before registration (new, contacted, consultation booked): the
    desk can contact, book a consultation, register or close them."""
    return consultation_requests_for(user).filter(stage__in=BEFORE_REGISTRATION)


def stage_history(request: ConsultationRequest) -> QuerySet[ConsultationStageChange]:
    """The request's stage rows, each with ``lasted`` (an interval computed by the
    database): until the next row, or until now for the current stage."""
    next_at = Window(Lead("changed_at"), order_by=[F("changed_at").asc(), F("pk").asc()])
    return (
        request.stage_changes.select_related("changed_by")
        .annotate(left_at=Coalesce(next_at, Now()))
        .annotate(lasted=ExpressionWrapper(F("left_at") - F("changed_at"), DurationField()))
        .order_by("changed_at", "pk")
    )
