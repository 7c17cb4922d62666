from django.urls import path

from . import views
from .views import answer

app_name = "outcomes"
urlpatterns = [
    path("schedules/", views.schedules, name="schedules"),
    path("schedules/<int:pk>/", views.schedule, name="schedule"),
    path(
        "patients/<int:pk>/due-measures/", views.patient_due_measures, name="patient_due_measures"
    ),
    path("courses/<int:pk>/measures-link/", views.link_send, name="link_send"),
    path("links/<int:pk>/resend/", views.link_resend, name="link_resend"),
    path("links/<int:pk>/revoke/", views.link_revoke, name="link_revoke"),
    # Public: the patient's own page; the signed token finds the link, the date of birth
    # proves the patient (tests/clinic/test_role_matrix.py: public).
    path("answer/<str:token>/", answer.start, name="answer"),
    path("answer/<str:token>/q/<int:number>/", answer.step, name="answer_step"),
    path("answer/<str:token>/send/", answer.review, name="answer_review"),
    path("answer/<str:token>/new-link/", answer.new_link, name="answer_new_link"),
    path("answer/<str:token>/language/", answer.language, name="answer_language"),
]
