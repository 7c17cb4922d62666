from django.urls import path

from .steps import CHAIR_STEPS
from .views import chair, druglog, homes, orders

app_name = "infusions"
urlpatterns = [
    path("nurse/", homes.nurse_home, name="nurse_home"),
    path("alerts/open/", homes.open_alerts, name="open_alerts"),
    path("physician/", homes.physician_home, name="physician_home"),
    # The dose panel of one appointment, and what is done from it.
    path("appointments/<int:pk>/dose/", orders.dose_panel, name="dose_panel"),
    path("appointments/<int:pk>/dose/order/", orders.order_create, name="order_create"),
    # The chair screen: chairside charting from check-in to discharge.
    path("appointments/<int:pk>/chair/", chair.chair, name="chair"),
    path(
        "appointments/<int:pk>/chair/check-in/",
        chair.chair_check_in,
        name="chair_check_in",
    ),
    path("records/<int:pk>/alerts/", chair.chair_alerts, name="chair_alerts"),
    path("appointments/<int:pk>/record/", chair.record_print, name="record_print"),
    path(
        "records/<int:pk>/early-stop-reviewed/",
        chair.early_stop_reviewed,
        name="early_stop_reviewed",
    ),
    *[
        path(
            f"records/<int:pk>/{step.replace('_', '-')}/",
            getattr(chair, step),
            name=f"chair_{step}",
        )
        for step in CHAIR_STEPS
    ],
    path("orders/unsigned/", orders.signing_queue, name="signing_queue"),
    path("orders/<int:pk>/check/", orders.check_create, name="check_create"),
    path("orders/<int:pk>/sign/", orders.order_sign, name="order_sign"),
    path("orders/<int:pk>/cancel/", orders.order_cancel, name="order_cancel"),
    path("orders/<int:pk>/draw/", orders.drug_draw, name="drug_draw"),
    path("orders/<int:pk>/account/", orders.drug_account, name="drug_account"),
    # The controlled-substance log.
    path("drug-log/", druglog.lots, name="lots"),
    path("drug-log/lots/<int:pk>/", druglog.lot_detail, name="lot_detail"),
    path("drug-log/sites/<int:location_pk>/reconcile/", druglog.reconcile, name="reconcile"),
    path("drug-log/report.csv", druglog.drug_log_csv, name="drug_log_csv"),
]
