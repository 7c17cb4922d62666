from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit"
    default_auto_field = "django.db.models.BigAutoField"

    role_permissions = {
        "clinic_admin": ["audit.view_accesslog", "auditlog.view_logentry"],
    }

    def ready(self) -> None:
        from . import tracked

        tracked.register_models()
