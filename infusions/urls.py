from django.urls import path

from . import views

app_name = "infusions"
urlpatterns = [
    path("nurse/", views.nurse_home, name="nurse_home"),
    path("physician/", views.physician_home, name="physician_home"),
]
