from django.urls import path

from . import views
from .views import cards

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
    # Card payments through the provider, course packages, visits to charge by hand.
    path("patients/<int:pk>/card/", cards.card_payment, name="card_payment"),
    path("patients/<int:pk>/packages/", cards.patient_packages, name="packages"),
    path("charges-to-review/", cards.charges_to_review, name="charges_to_review"),
    path(
        "charges-to-review/<int:pk>/waive/", cards.charge_review_waive, name="charge_review_waive"
    ),
    path("stripe/webhook/", cards.card_webhook, name="card_webhook"),
    path("appointments/<int:pk>/superbill/send/", views.superbill_send, name="superbill_send"),
    path(
        "courses/<int:pk>/superbill/send/",
        views.course_superbill_send,
        name="course_superbill_send",
    ),  # fmt: skip
    path("estimates/<int:pk>/send/", views.estimate_send, name="estimate_send"),
    path("close/", views.closes, name="closes"),
    path("close/<int:pk>/", views.close_day, name="close_day"),
    path("closes/<int:pk>/reopen/", views.close_reopen, name="close_reopen"),
    # Public: the patient's own page; the signed token finds the link, the date of birth
    # proves the patient (tests/clinic/test_role_matrix.py: public).
    path("papers/<str:token>/", views.document_link, name="document_link"),
    path("papers/<str:token>/pdf/", views.document_link_pdf, name="document_link_pdf"),
]
