"""The Django admin names third-party apps in words a clinic admin understands."""

from django.urls import reverse

from tests.factories import UserFactory

RAW_LABELS = [
    "OTP_TOTP",
    "OTP_STATIC",
    "Otp_Totp",
    "Otp_Static",
    "Django_Otp",
    "Axes",
    "Auth Token",
]


def test_the_admin_index_shows_human_names_and_no_raw_app_labels(login, db):
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    response = login(superuser).get(reverse("admin:index"))
    assert response.status_code == 200
    names = {app["name"] for app in response.context["app_list"]}
    assert {
        "API tokens",
        "Login attempts and lockouts",
        "Record change history",
        "Two-factor: authenticator apps",
    } <= names
    for raw in RAW_LABELS:
        assert raw not in names
