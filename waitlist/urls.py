from django.urls import path

from . import views

app_name = "waitlist"
urlpatterns = [
    path("", views.site, name="site"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("appointments/<int:pk>/fill/", views.fill, name="fill"),
]
