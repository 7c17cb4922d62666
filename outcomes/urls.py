from django.urls import path

from . import views

app_name = "outcomes"
urlpatterns = [
    path("schedules/", views.schedules, name="schedules"),
    path("schedules/<int:pk>/", views.schedule, name="schedule"),
    path(
        "patients/<int:pk>/due-measures/", views.patient_due_measures, name="patient_due_measures"
    ),
]
