from django.urls import path

from . import course_views, views
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

# A course's outcome, the physician's review and the booster candidates (outcomes.course_views).
urlpatterns += [
    path("patients/<int:pk>/outcome/", course_views.patient_outcome, name="patient_outcome"),
    path("courses/<int:pk>/", course_views.course_outcome_page, name="course_outcome"),
    path("courses/<int:pk>/letter.pdf", course_views.course_letter, name="course_letter"),
    path("courses/<int:pk>/review/", course_views.course_review, name="course_review"),
    path(
        "courses/<int:pk>/cancel-rest/",
        course_views.stopped_course_cancel_view,
        name="stopped_course_cancel",
    ),
    path("reviews-due/", course_views.reviews_due, name="reviews_due"),
    path("boosters/", course_views.boosters, name="boosters"),
    path("boosters/<int:pk>/book/", course_views.booster_book_view, name="booster_book"),
    path("boosters/<int:pk>/options/", course_views.booster_options_view, name="booster_options"),
]
