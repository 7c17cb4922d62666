from django.apps import AppConfig

PROTOCOL_EDITING = [
    "protocols.add_protocol",
    "protocols.change_protocol",
    "protocols.view_protocol",
    "protocols.add_protocolversion",
    "protocols.view_protocolversion",
]


class ProtocolsConfig(AppConfig):
    """The clinic's drug library: protocols and their append-only versions, and the dose
    arithmetic they feed. Below scheduling (courses follow a protocol) and infusions."""

    name = "protocols"
    default_auto_field = "django.db.models.BigAutoField"

    # Admin permissions. Only physicians (the medical director) and clinic admins edit
    # protocols; "changing" a version in the admin adds the next one (no change_ or
    # delete_protocolversion for anyone). Everyone else reads protocols through the app.
    role_permissions = {
        "physician": PROTOCOL_EDITING,
        "clinic_admin": PROTOCOL_EDITING,
    }
