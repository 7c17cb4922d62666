"""Reminder pages. Two are public: the link in a message, and the SMS provider's webhook."""

from django.urls import path

from . import views

app_name = "reminders"
urlpatterns = [
    path("scheduling/reminders/", views.dashboard, name="dashboard"),
    path("scheduling/reminders/follow-up/", views.follow_up, name="follow_up"),
    path("scheduling/reminders/<int:pk>/retry/", views.retry, name="retry"),
    path("scheduling/patients/<int:pk>/messages/", views.patient_messages, name="patient_messages"),
    # Public: short, because it goes into text messages.
    path("c/<str:token>/", views.confirm, name="confirm"),
    path("hooks/sms/twilio/", views.sms_webhook, name="sms_webhook"),
]
