from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "patients"
    default_auto_field = "django.db.models.BigAutoField"

    role_permissions = {
        "front_desk": ["patients.add_patient", "patients.change_patient", "patients.view_patient"],
        "nurse": ["patients.view_patient"],
        "physician": ["patients.view_patient"],
        "clinic_admin": [
            "patients.add_patient",
            "patients.change_patient",
            "patients.view_patient",
        ],
    }
