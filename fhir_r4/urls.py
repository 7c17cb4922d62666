"""/fhir/r4/: URL names ``fhir-<type>-search``, ``fhir-<type>-read`` and the Observation
kinds (classified in clinic/role_matrix.py, audit/reads.py, integrations/scopes.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("metadata", views.MetadataView.as_view(), name="fhir-metadata"),
    path("Patient", views.PatientSearchView.as_view(), name="fhir-patient-search"),
    path("Patient/<int:pk>", views.PatientReadView.as_view(), name="fhir-patient-read"),
    path(
        "Patient/<int:pk>/$everything",
        views.PatientEverythingView.as_view(),
        name="fhir-patient-everything",
    ),
    path("Observation", views.ObservationSearchView.as_view(), name="fhir-observation-search"),
    path(
        "Observation/weight-<int:pk>",
        views.WeightObservationView.as_view(),
        name="fhir-observation-weight",
    ),
    path(
        "Observation/vitals-<int:pk>-<slug:part>",
        views.VitalsObservationView.as_view(),
        name="fhir-observation-vitals",
    ),
    path(
        "Observation/measure-<int:pk>",
        views.MeasureObservationView.as_view(),
        name="fhir-observation-measure",
    ),
    path(
        "Observation/phq9-panel-<int:pk>",
        views.Phq9PanelObservationView.as_view(),
        name="fhir-observation-phq9-panel",
    ),
    path(
        "QuestionnaireResponse",
        views.QuestionnaireResponseSearchView.as_view(),
        name="fhir-questionnaire-response-search",
    ),
    path(
        "QuestionnaireResponse/<int:pk>",
        views.QuestionnaireResponseReadView.as_view(),
        name="fhir-questionnaire-response-read",
    ),
    path("Encounter", views.EncounterSearchView.as_view(), name="fhir-encounter-search"),
    path("Encounter/<int:pk>", views.EncounterReadView.as_view(), name="fhir-encounter-read"),
    path(
        "MedicationAdministration",
        views.MedicationAdministrationSearchView.as_view(),
        name="fhir-medication-administration-search",
    ),
    path(
        "MedicationAdministration/<int:pk>",
        views.MedicationAdministrationReadView.as_view(),
        name="fhir-medication-administration-read",
    ),
    path("Appointment", views.AppointmentSearchView.as_view(), name="fhir-appointment-search"),
    path("Appointment/<int:pk>", views.AppointmentReadView.as_view(), name="fhir-appointment-read"),
]
