"""The FHIR R4 endpoints under /fhir/r4/: read, search and Patient/$everything (read only).

Searches of clinical resources take the patient (``patient=123`` or ``Patient/123``): the
access log then names whose record was read, as for the API. A patient the caller may not
see is a 404, whether it exists or not.
"""

from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.http import Http404
from rest_framework.permissions import IsAuthenticated

from audit.reads import log_patients

from . import capability, resources, search, selectors
from .base import FhirView
from .search import SearchError


def _page(queryset, params) -> tuple[list, int, int, int]:
    count, offset = search.paging(params)
    total = queryset.count()
    return list(queryset[offset : offset + count]), total, count, offset


def _one(queryset, pk):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404("Not known.")
    return found


def _patient_of_search(view, resource_type: str):
    params = view.request.query_params
    search.check_names(resource_type, params)
    return selectors.patient_or_404(view.request.user, search.patient_id(params, required=True))


class MetadataView(FhirView):
    """The CapabilityStatement: what this server serves."""

    permission_classes = [IsAuthenticated]

    def get(self, request):
        return self.resource_response(capability.statement(self.base_url()))


# --- Patient ---------------------------------------------------------------------------------


class PatientSearchView(FhirView):
    def get(self, request):
        params = request.query_params
        search.check_names("Patient", params)
        patients = selectors.visible_patients(request.user).order_by("legal_last_name", "pk")
        if (pk := search.one(params, "_id")) is not None:
            pk = search.id_param(pk)
            patients = patients.filter(pk=pk) if pk is not None else patients.none()
        for system, value in search.tokens(params, "identifier") or ():
            if system not in (None, resources.codes.mrn_system()):
                patients = patients.none()
            patients = patients.filter(mrn=value)
        for name, fields in (("name", ("legal_first_name", "legal_last_name", "preferred_name")),
                             ("family", ("legal_last_name",)),
                             ("given", ("legal_first_name", "preferred_name"))):  # fmt: skip
            for text in params.getlist(name):
                patients = patients.filter(_any_starts(fields, text))
        patients = patients.filter(search.birthdate_q(params))
        if (gender := search.one(params, "gender")) is not None:
            sexes = [sex for sex, code in resources.GENDER.items() if code == gender]
            patients = patients.filter(sex__in=sexes)
        rows, total, count, offset = _page(patients, params)
        log_patients(request, [row.pk for row in rows], request.resolver_match.view_name)
        return self.searchset([resources.patient(row) for row in rows],
                              total=total, count=count, offset=offset)  # fmt: skip


def _any_starts(fields, text: str) -> Q:
    found = Q()
    for field in fields:
        found |= Q(**{f"{field}__istartswith": text})
    return found


class PatientReadView(FhirView):
    def get(self, request, pk):
        return self.resource_response(resources.patient(selectors.patient_or_404(request.user, pk)))


class PatientEverythingView(FhirView):
    """``Patient/{id}/$everything``: the patient and every resource of theirs, one Bundle."""

    def get(self, request, pk):
        search.check_names_for_operation(request.query_params)
        patient = selectors.patient_or_404(request.user, pk)
        found = [resources.patient(patient)]
        found += [obs for _, obs in _observations(request.user, patient)]
        found += [
            resources.questionnaire_response(row) for row in _questionnaires(request.user, patient)
        ]
        records = list(selectors.records(request.user, patient).order_by("checked_in_at"))
        found += [resources.encounter(record) for record in records]
        found += [
            resources.medication_administration(record)
            for record in records
            if resources.administered(record)
        ]
        found += [
            resources.appointment(row)
            for row in selectors.appointments(request.user, patient).order_by("starts_at")
        ]
        return self.searchset(found, total=len(found), count=len(found), offset=0)


# --- Observation -----------------------------------------------------------------------------


def _observations(user, patient, *, bounds=(), categories=None) -> list[tuple]:
    """(when, Observation) of the patient's standing rows, newest first."""
    wanted = {code for _, code in categories} if categories else None
    found = []
    if wanted is None or "vital-signs" in wanted:
        weights = selectors.standing(selectors.weights(user, patient))
        for row in weights.filter(search.date_q(bounds, "measured_at")):
            found.append((row.measured_at, resources.weight(row)))
        readings = selectors.standing(selectors.vitals(user, patient))
        for reading in readings.filter(search.date_q(bounds, "taken_at")):
            found += [(reading.taken_at, obs) for obs in resources.vitals(reading, patient.pk)]
    if wanted is None or "survey" in wanted:
        measures = selectors.standing(selectors.measures(user, patient)).annotate(
            given=Coalesce(F("taken_at"), F("recorded_at"))
        )
        for row in measures.filter(search.date_q(bounds, "given")):
            found += [(row.given, obs) for obs in resources.measure(row)]
    if categories:
        found = [
            (when, obs) for when, obs in found
            if search.matches_token(categories, obs["category"][0]["coding"])
        ]  # fmt: skip
    return sorted(found, key=lambda pair: pair[0], reverse=True)


class ObservationSearchView(FhirView):
    def get(self, request):
        params = request.query_params
        patient = _patient_of_search(self, "Observation")
        found = _observations(
            request.user, patient, bounds=search.dates(params),
            categories=search.tokens(params, "category"),
        )  # fmt: skip
        if (codes := search.tokens(params, "code")) is not None:
            found = [pair for pair in found if search.matches_token(codes, _codings(pair[1]))]
        count, offset = search.paging(params)
        page = [obs for _, obs in found[offset : offset + count]]
        return self.searchset(page, total=len(found), count=count, offset=offset)


def _codings(observation: dict) -> list[dict]:
    return observation["code"]["coding"]


class WeightObservationView(FhirView):
    def get(self, request, pk):
        return self.resource_response(resources.weight(_one(selectors.weights(request.user), pk)))


class VitalsObservationView(FhirView):
    def get(self, request, pk, part):
        reading = _one(selectors.vitals(request.user), pk)
        patient_id = reading.record.appointment.patient_id
        for observation in resources.vitals(reading, patient_id):
            if observation["id"] == f"vitals-{pk}-{part}":
                return self.resource_response(observation)
        raise Http404("Not known.")


class MeasureObservationView(FhirView):
    """``measure-<id>``: a pain NRS or a PHQ-9 total; ``phq9-panel-<id>``: the PHQ-9 panel."""

    prefix = "measure"

    def get(self, request, pk):
        row = _one(selectors.measures(request.user), pk)
        for observation in resources.measure(row):
            if observation["id"] == f"{self.prefix}-{pk}":
                return self.resource_response(observation)
        raise Http404("Not known.")


class Phq9PanelObservationView(MeasureObservationView):
    prefix = "phq9-panel"


# --- QuestionnaireResponse ----------------------------------------------------------------------


def _questionnaires(user, patient):
    rows = selectors.measures(user, patient, kinds=selectors.QUESTIONNAIRES)
    return selectors.standing(rows).order_by(Coalesce(F("taken_at"), F("recorded_at")), "pk")


class QuestionnaireResponseSearchView(FhirView):
    def get(self, request):
        patient = _patient_of_search(self, "QuestionnaireResponse")
        rows, total, count, offset = _page(
            _questionnaires(request.user, patient).reverse(), request.query_params
        )
        return self.searchset([resources.questionnaire_response(row) for row in rows],
                              total=total, count=count, offset=offset)  # fmt: skip


class QuestionnaireResponseReadView(FhirView):
    def get(self, request, pk):
        rows = selectors.measures(request.user, kinds=selectors.QUESTIONNAIRES)
        return self.resource_response(resources.questionnaire_response(_one(rows, pk)))


# --- Encounter and MedicationAdministration -------------------------------------------------------


class EncounterSearchView(FhirView):
    def get(self, request):
        patient = _patient_of_search(self, "Encounter")
        rows = selectors.records(request.user, patient).filter(
            search.date_q(search.dates(request.query_params), "checked_in_at")
        )
        rows, total, count, offset = _page(rows.order_by("-checked_in_at", "-pk"),
                                           request.query_params)  # fmt: skip
        return self.searchset([resources.encounter(row) for row in rows],
                              total=total, count=count, offset=offset)  # fmt: skip


class EncounterReadView(FhirView):
    def get(self, request, pk):
        return self.resource_response(
            resources.encounter(_one(selectors.records(request.user), pk))
        )


class MedicationAdministrationSearchView(FhirView):
    def get(self, request):
        patient = _patient_of_search(self, "MedicationAdministration")
        rows = selectors.administrations(request.user, patient).order_by("-started_at", "-pk")
        rows, total, count, offset = _page(rows, request.query_params)
        return self.searchset([resources.medication_administration(row) for row in rows],
                              total=total, count=count, offset=offset)  # fmt: skip


class MedicationAdministrationReadView(FhirView):
    def get(self, request, pk):
        record = _one(selectors.administrations(request.user), pk)
        return self.resource_response(resources.medication_administration(record))


# --- Appointment ------------------------------------------------------------------------------


class AppointmentSearchView(FhirView):
    def get(self, request):
        params = request.query_params
        patient = _patient_of_search(self, "Appointment")
        rows = selectors.appointments(request.user, patient).filter(
            search.date_q(search.dates(params), "starts_at")
        )
        if (status := search.one(params, "status")) is not None:
            rows = rows.filter(status__in=_our_statuses(status.split(",")))
        rows, total, count, offset = _page(rows.order_by("-starts_at", "-pk"), params)
        return self.searchset([resources.appointment(row) for row in rows],
                              total=total, count=count, offset=offset)  # fmt: skip


def _our_statuses(codes: list[str]) -> list[str]:
    unknown = set(codes) - set(resources.APPOINTMENT_STATUS.values()) - resources.UNUSED_STATUSES
    if unknown:
        raise SearchError(f"status: {', '.join(sorted(unknown))} is not an appointment status.")
    return [ours for ours, code in resources.APPOINTMENT_STATUS.items() if code in codes]


class AppointmentReadView(FhirView):
    def get(self, request, pk):
        return self.resource_response(
            resources.appointment(_one(selectors.appointments(request.user), pk))
        )
