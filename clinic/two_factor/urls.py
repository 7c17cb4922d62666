from django.urls import path

from . import views

app_name = "two_factor"

urlpatterns = [
    path("two-factor/", views.verify, name="verify"),
    path("two-factor/set-up/", views.enrol, name="enrol"),
    path("security/", views.security, name="security"),
    path("security/backup-codes/", views.backup_codes, name="backup_codes"),
    path("security/turn-off/", views.turn_off, name="turn_off"),
]
