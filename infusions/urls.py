from django.urls import path

from . import views, views_charting

app_name = "infusions"
urlpatterns = [
    path("nurse/", views_charting.nurse_home, name="nurse_home"),
    path("alerts/open/", views_charting.open_alerts, name="open_alerts"),
    path("physician/", views.physician_home, name="physician_home"),
    # The dose panel of one appointment, and what is done from it.
    path("appointments/<int:pk>/dose/", views.dose_panel, name="dose_panel"),
    path("appointments/<int:pk>/dose/order/", views.order_create, name="order_create"),
    # The chair screen: chairside charting from check-in to discharge.
    path("appointments/<int:pk>/chair/", views_charting.chair, name="chair"),
    path(
        "appointments/<int:pk>/chair/check-in/",
        views_charting.chair_check_in,
        name="chair_check_in",
    ),
    path("records/<int:pk>/alerts/", views_charting.chair_alerts, name="chair_alerts"),
    path("appointments/<int:pk>/record/", views_charting.record_print, name="record_print"),
    path(
        "records/<int:pk>/early-stop-reviewed/",
        views_charting.early_stop_reviewed,
        name="early_stop_reviewed",
    ),
    *[
        path(f"records/<int:pk>/{step.replace('_', '-')}/", view, name=f"chair_{step}")
        for step, view in views_charting.CHAIR_STEPS.items()
    ],
    path("orders/unsigned/", views.signing_queue, name="signing_queue"),
    path("orders/<int:pk>/check/", views.check_create, name="check_create"),
    path("orders/<int:pk>/sign/", views.order_sign, name="order_sign"),
    path("orders/<int:pk>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<int:pk>/draw/", views.drug_draw, name="drug_draw"),
    path("orders/<int:pk>/account/", views.drug_account, name="drug_account"),
    # The controlled-substance log.
    path("drug-log/", views.lots, name="lots"),
    path("drug-log/lots/<int:pk>/", views.lot_detail, name="lot_detail"),
    path("drug-log/sites/<int:location_pk>/reconcile/", views.reconcile, name="reconcile"),
    path("drug-log/report.csv", views.drug_log_csv, name="drug_log_csv"),
]
