from django.urls import path

from . import patient_views, views

app_name = "waitlist"
urlpatterns = [
    path("", views.site, name="site"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("appointments/<int:pk>/fill/", views.fill, name="fill"),
    path("appointments/<int:pk>/offer/", views.offer_make, name="offer_make"),
    path("offers/<int:pk>/withdraw/", views.offer_withdraw, name="offer_withdraw"),
    # The patient's own offer link (no login: signed token, then the date of birth).
    path("offer/<str:token>/", patient_views.offer, name="offer"),
]
