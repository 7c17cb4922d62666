from django.apps import AppConfig

PROTOCOL_EDITING = [
    "infusions.add_protocol",
    "infusions.change_protocol",
    "infusions.view_protocol",
    "infusions.add_protocolversion",
    "infusions.view_protocolversion",
]

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

    # Admin permissions. Only physicians (the medical director) and clinic admins edit
    # protocols; "changing" a version in the admin adds the next one (no change_ or
    # delete_protocolversion for anyone). Everyone else reads protocols through the app.
    role_permissions = {
        "physician": PROTOCOL_EDITING + RECORD_READING,
        "clinic_admin": PROTOCOL_EDITING + RECORD_READING + ["infusions.add_lot"],
    }

    def ready(self) -> None:
        # The chart's part of undoing a check-in (scheduling.hooks.check_in_undo).
        from .services import check_in  # noqa: F401
