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
    path("prices/", views.prices, name="prices"),
    path("estimates/", views.estimates, name="estimates"),
    path("patients/<int:pk>/estimates/new/", views.estimate_new, name="estimate_new"),
    path("estimates/<int:pk>/", views.estimate, name="estimate"),
    path("estimates/<int:pk>/update/", views.estimate_update, name="estimate_update"),
    path("estimates/<int:pk>/deliver/", views.estimate_deliver, name="estimate_deliver"),
    path("balances/", views.balances, name="balances"),
    path("patients/<int:pk>/ledger/", views.ledger, name="ledger"),
    path("patients/<int:pk>/ledger/<slug:kind>/", views.ledger_new, name="ledger_new"),
    path("ledger/<int:pk>/refund/", views.refund, name="refund"),
    path("appointments/<int:pk>/superbill/", views.superbill, name="superbill"),
    path("courses/<int:pk>/superbill/", views.course_superbill, name="course_superbill"),
]
