from django.urls import path

from . import views

app_name = "patients"
urlpatterns = [
    path("", views.patient_list, name="list"),
    path("search/", views.search_results, name="search"),
    path("register/", views.patient_register, name="register"),
    path("contact/", views.consultation_request, name="contact"),  # public: no login
    path("consultations/", views.consultation_queue, name="consultations"),
    path(
        "consultations/<int:pk>/register/",
        views.consultation_register,
        name="consultation_register",
    ),
    path("consultations/<int:pk>/close/", views.consultation_close, name="consultation_close"),
    path("consultations/new/", views.consultation_take, name="consultation_take"),
    path(
        "consultations/<int:pk>/attempts/",
        views.consultation_attempt,
        name="consultation_attempt",
    ),
    path("<int:pk>/", views.patient_detail, name="detail"),
    path("<int:pk>/edit/", views.patient_edit, name="edit"),
    path("<int:pk>/deactivate/", views.patient_deactivate, name="deactivate"),
    path("<int:pk>/escorts/new/", views.escort_add, name="escort_add"),
    path("<int:pk>/intake/new/", views.intake_new, name="intake_new"),
    path("<int:pk>/screening/new/", views.screening_new, name="screening_new"),
    path("<int:pk>/clearance/", views.clearance, name="clearance"),
    path("<int:pk>/weights/new/", views.weight_new, name="weight_new"),
    path("<int:pk>/weights/<int:weight_pk>/correct/", views.weight_correct, name="weight_correct"),
    path("<int:pk>/consent/<int:document_pk>/", views.consent_sign, name="consent_sign"),
    path("<int:pk>/communication/", views.communication_consent, name="communication_consent"),
    path("<int:pk>/measures/<slug:kind>/new/", views.measure_new, name="measure_new"),
    path(
        "<int:pk>/measures/<int:measure_pk>/correct/",
        views.measure_correct,
        name="measure_correct",
    ),
    path(
        "<int:pk>/measures/<int:measure_pk>/follow-up/",
        views.phq9_follow_up,
        name="phq9_follow_up",
    ),
]
