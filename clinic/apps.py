from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"
    default_auto_field = "django.db.models.BigAutoField"

    # role -> permissions ("app_label.codename") this app grants; see clinic.roles.
    role_permissions = {
        "clinic_admin": [
            "clinic.add_location",
            "clinic.change_location",
            "clinic.view_location",
            "clinic.add_user",
            "clinic.change_user",
            "clinic.view_user",
            "auth.view_group",
            # Two-factor: see who has it and reset it for a lost phone (clinic.two_factor).
            "otp_totp.view_totpdevice",
            "otp_totp.delete_totpdevice",
        ],
        "physician": ["clinic.view_location"],
        "nurse": ["clinic.view_location"],
        "front_desk": ["clinic.view_location"],
    }

    def ready(self) -> None:
        from . import credentials, roles  # noqa: F401 - receiver and system check
        from .third_party_apps import name_third_party_apps
        from .two_factor import services  # noqa: F401 - connects its login signal

        name_third_party_apps()

        post_migrate.connect(
            roles.sync_role_permissions_after_migrate, dispatch_uid="clinic.sync_roles"
        )
