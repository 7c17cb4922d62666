"""The rows behind the FHIR resources, each queryset limited to the caller's patients
(``patients_for``: their sites' patients) and loading what the resource builders need, so a
search or ``$everything`` costs the same few queries however many rows it returns."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from infusions.models import Correction, InfusionRecord, InfusionStatusEvent, VitalsReading
from patients.models import OutcomeMeasure, Patient, WeightMeasurement
from patients.selectors import patients_for
from scheduling.models import Appointment

QUESTIONNAIRES = ("phq9", "fiqr")
OBSERVED_MEASURES = ("pain_nrs", "phq9")


def visible_patients(user) -> QuerySet[Patient]:
    return patients_for(user)


def patient_or_404(user, pk: int) -> Patient:
    """The patient the caller may see; another site's patient is a 404 like a missing one
    (FHIR answers no 403 that would tell a record exists)."""
    found = visible_patients(user).filter(pk=pk).first()
    if found is None:
        raise Http404(f"Patient/{pk} is not known.")
    return found


def _of_patients(queryset: QuerySet, user, path: str, patient: Patient | None) -> QuerySet:
    if patient is not None:
        return queryset.filter(**{path: patient})
    return queryset.filter(**{f"{path}__in": visible_patients(user).values("pk")})


def weights(user, patient: Patient | None = None) -> QuerySet[WeightMeasurement]:
    rows = WeightMeasurement.objects.select_related("measured_by").annotate(
        struck=Exists(WeightMeasurement.objects.filter(corrects=OuterRef("pk")))
    )
    return _of_patients(rows, user, "patient", patient)


def vitals(user, patient: Patient | None = None) -> QuerySet[VitalsReading]:
    rows = VitalsReading.objects.select_related("taken_by", "record__appointment").annotate(
        struck=Exists(Correction.objects.filter(vitals=OuterRef("pk")))
    )
    return _of_patients(rows, user, "record__appointment__patient", patient)


def measures(user, patient: Patient | None = None, kinds=OBSERVED_MEASURES) -> QuerySet:
    rows = (
        OutcomeMeasure.objects.filter(kind__in=kinds)
        .select_related("recorded_by")
        .annotate(struck=Exists(OutcomeMeasure.objects.filter(corrects=OuterRef("pk"))))
    )
    return _of_patients(rows, user, "patient", patient)


def records(user, patient: Patient | None = None) -> QuerySet[InfusionRecord]:
    rows = InfusionRecord.objects.select_related(
        "appointment__nurse", "appointment__location", "checked_in_by"
    ).prefetch_related(
        Prefetch("statuses", queryset=InfusionStatusEvent.objects.order_by("at", "pk"))
    )
    return _of_patients(rows, user, "appointment__patient", patient)


def administrations(user, patient: Patient | None = None) -> QuerySet[InfusionRecord]:
    return records(user, patient).filter(started_at__isnull=False)


def appointments(user, patient: Patient | None = None) -> QuerySet[Appointment]:
    rows = Appointment.objects.select_related("course", "nurse", "location")
    return _of_patients(rows, user, "patient", patient)


def standing(queryset: QuerySet) -> QuerySet:
    """Rows no correction struck out (a search leaves those out; a read still shows them)."""
    return queryset.filter(Q(struck=False))
