from django.urls import path

from . import views
from .selectors import REPORTS

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    *[path(f"{name}/", views.page(name), name=name) for name in REPORTS],
    *[path(f"{name}.csv", views.csv_download(name), name=f"{name}_csv") for name in REPORTS],
]
