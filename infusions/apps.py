from django.apps import AppConfig

PROTOCOL_EDITING = [
    "infusions.add_protocol",
    "infusions.change_protocol",
    "infusions.view_protocol",
    "infusions.add_protocolversion",
    "infusions.view_protocolversion",
]


class InfusionsConfig(AppConfig):
    name = "infusions"
    default_auto_field = "django.db.models.BigAutoField"

    # Admin permissions. Only physicians (the medical director) and clinic admins edit
    # protocols; "changing" a version in the admin adds the next one (no change_ or
    # delete_protocolversion for anyone). Everyone else reads protocols through the app.
    role_permissions = {
        "physician": PROTOCOL_EDITING,
        "clinic_admin": PROTOCOL_EDITING,
    }
