from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"
    default_auto_field = "django.db.models.BigAutoField"

    # Clinic admins issue and revoke keys; nobody edits a key's hash, prefix or counters.
    role_permissions = {
        "clinic_admin": [
            "integrations.add_apikey",
            "integrations.change_apikey",
            "integrations.view_apikey",
            "integrations.view_keycall",
        ],
    }

    def ready(self) -> None:
        from clinic.credentials import register_kind

        from . import schema  # noqa: F401 - registers the Api-Key scheme with drf-spectacular
        from .services import revoke_keys_of

        # Deactivating a key's service user (admin, command) revokes the key with it.
        register_kind(revoke_keys_of)
