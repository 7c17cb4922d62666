from django.apps import AppConfig

# The controlled-substance and dose records in the admin: read-only for everyone (the
# database refuses changes anyway); clinic admins add lots, through the receive service.
RECORD_READING = [
    "infusions.view_doseorder",
    "infusions.view_dosecheck",
    "infusions.view_druglogentry",
    "infusions.view_lot",
]


class InfusionsConfig(AppConfig):
    name = "infusions"
    default_auto_field = "django.db.models.BigAutoField"

    # Admin permissions (protocol editing is protocols.apps).
    role_permissions = {
        "physician": RECORD_READING,
        "clinic_admin": RECORD_READING + ["infusions.add_lot"],
    }

    def ready(self) -> None:
        # The chart's part of undoing a check-in (scheduling.hooks.check_in_undo) and of
        # cancelling a checked-in visit (scheduling.hooks.checked_in_cancel).
        from .services import check_in, not_given  # noqa: F401
