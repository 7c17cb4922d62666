"""Project URL conf. As the project's wiring it is the one module that sees every app."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from clinic import api as clinic_api
from clinic import views as clinic_views

router = DefaultRouter()
router.register("locations", clinic_api.LocationViewSet, basename="location")

admin.site.site_header = "Ketamine clinic administration"
admin.site.site_title = "Clinic admin"

urlpatterns = [
    path("", clinic_views.home, name="home"),
    path("healthz", clinic_views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("patients/", include("patients.urls")),
    path("scheduling/", include("scheduling.urls")),
    path("infusions/", include("infusions.urls")),
    path("api/v1/", include(router.urls)),
    path("api/v1/me/", clinic_api.MeView.as_view(), name="api-me"),
    path("api/v1/auth/token/", obtain_auth_token, name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
