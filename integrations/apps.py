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
            "integrations.add_webhooksubscription",
            "integrations.change_webhooksubscription",
            "integrations.view_webhooksubscription",
            "integrations.view_webhookdelivery",
        ],
    }

    def ready(self) -> None:
        from clinic.credentials import register_kind

        from . import events, schema  # noqa: F401 - schema registers the Api-Key scheme
        from .services import revoke_keys_of

        # Deactivating a key's service user (admin, command) revokes the key with it.
        register_kind(revoke_keys_of)
        events.connect()  # webhooks: scheduling's change hook and the rows that mark events
