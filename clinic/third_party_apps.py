"""Human names for third-party apps in the Django admin's index and breadcrumbs.

Only the app's ``verbose_name`` changes (part of no migration). The apps stay in
INSTALLED_APPS under their own names, which some of them check for (authtoken's TokenProxy
is abstract unless ``rest_framework.authtoken`` is listed).
"""

from django.apps import apps

HUMAN_APP_NAMES = {
    "authtoken": "API tokens",
    "axes": "Login attempts and lockouts",
    "auditlog": "Record change history",
    "otp_totp": "Two-factor: authenticator apps",
    "otp_static": "Two-factor: backup codes",
}


def name_third_party_apps() -> None:
    for label, verbose_name in HUMAN_APP_NAMES.items():
        apps.get_app_config(label).verbose_name = verbose_name
