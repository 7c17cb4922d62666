from django.urls import path

from . import views

app_name = "scheduling"
urlpatterns = [
    path("board/", views.board, name="board"),
    path("board/week/", views.week, name="week"),
    path("today/patients/", views.todays_patients, name="todays_patients"),
    path("plan/", views.planner, name="planner"),
    path("pipeline/", views.pipeline, name="pipeline"),
    path(
        "pipeline/<int:pk>/consultation/",
        views.consultation_book,
        name="consultation_book",
    ),
    path(
        "pipeline/consultations/<int:pk>/cancel/",
        views.consultation_cancel,
        name="consultation_cancel",
    ),
    path("plan/blockers/", views.planner_blockers, name="planner_blockers"),
    path("setup/", views.admin_home, name="admin_home"),
    path("setup/rota/", views.rota_week, name="rota"),
    path("setup/rota/change/", views.rota_change, name="rota_change"),
    path("setup/site/", views.site_page, name="site_setup"),
    path("setup/site/change/", views.site_change, name="site_change"),
    path("appointments/<int:pk>/check-in/", views.check_in, name="check_in"),
    path("appointments/<int:pk>/check-in/undo/", views.check_in_undo, name="check_in_undo"),
    path("appointments/<int:pk>/escort-confirmed/", views.escort_confirm, name="escort_confirm"),
    path("appointments/<int:pk>/reschedule/", views.reschedule, name="reschedule"),
    path("appointments/<int:pk>/make-up/", views.make_up, name="make_up"),
    path("appointments/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("appointments/<int:pk>/no-show/", views.no_show, name="no_show"),
    path("courses/<int:pk>/cancel/", views.course_cancel, name="course_cancel"),
    path("patients/<int:pk>/courses/", views.patient_courses, name="patient_courses"),
    path("patients/<int:pk>/calendar/new/", views.feed_create, name="feed_create"),
    path("patients/<int:pk>/calendar/revoke/", views.feed_revoke, name="feed_revoke"),
    path("patients/<int:pk>/calendar.ics", views.calendar_download, name="calendar_download"),
    # Public: the secret token is the credential (tests/clinic/test_access.py PUBLIC).
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
