from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("patients/<int:pk>/access/", views.patient_access, name="patient_access"),
    path("patients/<int:pk>/access.csv", views.patient_access_csv, name="patient_access_csv"),
    path("patients/<int:pk>/export/", views.patient_export, name="patient_export"),
    path("patients/<int:pk>/export.json", views.patient_export_json, name="patient_export_json"),
]
