from django.urls import path

from . import course_views, views

app_name = "outcomes"
urlpatterns = [
    path("schedules/", views.schedules, name="schedules"),
    path("schedules/<int:pk>/", views.schedule, name="schedule"),
    path(
        "patients/<int:pk>/due-measures/", views.patient_due_measures, name="patient_due_measures"
    ),
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
]
