from django.urls import path

from . import views

app_name = "billing"
urlpatterns = [
    path("checks-due/", views.checks_due, name="checks_due"),
    path("patients/<int:pk>/", views.patient_money, name="patient"),
    path("patients/<int:pk>/coverage/new/", views.coverage_add, name="coverage_add"),
    path("patients/<int:pk>/payment-choice/", views.payment_choice, name="payment_choice"),
    path("coverages/<int:pk>/change/", views.coverage_change, name="coverage_change"),
    path("coverages/<int:pk>/end/", views.coverage_end, name="coverage_end"),
    path("coverages/<int:pk>/check/", views.check_new, name="check_new"),
    path("coverages/<int:pk>/check/electronic/", views.check_electronic, name="check_electronic"),
]
